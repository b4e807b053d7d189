using System.Collections.Concurrent;

namespace PlanAct.IO;

/// <summary>Text files embedded beside the class that uses them (prompts, default tables), read once.</summary>
internal static class EmbeddedText
{
    private static readonly ConcurrentDictionary<string, string> Cache = new();

    /// <summary>The file <paramref name="name"/> in the folder of <paramref name="anchor"/>'s namespace.</summary>
    public static string Read(Type anchor, string name) => Cache.GetOrAdd($"{anchor.Namespace}.{name}", static resource =>
    {
        using var stream = typeof(EmbeddedText).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"embedded text {resource} is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().ReplaceLineEndings("\n");
    });
}
