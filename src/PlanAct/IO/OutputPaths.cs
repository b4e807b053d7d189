namespace PlanAct.IO;

/// <summary>Where the files that accompany an output go.</summary>
public static class OutputPaths
{
    /// <summary>A file beside an output, named after it: <c>plans.jsonl</c> and <c>quarantine.jsonl</c> → <c>plans.quarantine.jsonl</c>.</summary>
    public static string Beside(string outPath, string suffix) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outPath))!, $"{Path.GetFileNameWithoutExtension(outPath)}.{suffix}");
}
