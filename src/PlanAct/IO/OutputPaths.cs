namespace PlanAct.IO;

/// <summary>Where the files that accompany an output go.</summary>
internal static class OutputPaths
{
    /// <summary>A file beside an output, named after it: <c>plans.jsonl</c> and <c>quarantine.jsonl</c> → <c>plans.quarantine.jsonl</c>.</summary>
    public static string Beside(string outPath, string suffix) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outPath))!, $"{Path.GetFileNameWithoutExtension(outPath)}.{suffix}");

    /// <summary>The file a path names once links are followed (the path itself when it is no link or does not exist).</summary>
    public static string Resolved(string path)
    {
        var full = Path.GetFullPath(path);
        FileSystemInfo info = Directory.Exists(full) ? new DirectoryInfo(full) : new FileInfo(full);
        return info.Exists && info.LinkTarget is not null ? info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full : full;
    }

    /// <summary>The input that <paramref name="output"/> would overwrite: the same file after links, or a folder it lies in; null when none.</summary>
    public static string? OverwrittenInput(string output, IEnumerable<string> inputs)
    {
        var target = Resolved(output);
        return inputs.FirstOrDefault(input =>
        {
            var source = Resolved(input);
            return string.Equals(target, source, StringComparison.Ordinal)
                || (Directory.Exists(source) && target.StartsWith(Path.TrimEndingDirectorySeparator(source) + Path.DirectorySeparatorChar, StringComparison.Ordinal));
        });
    }
}
