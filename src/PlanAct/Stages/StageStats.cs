using System.Text.Json;
using System.Text.Json.Serialization;
using PlanAct.IO;
using PlanAct.Teacher.Cost;

namespace PlanAct.Stages;

/// <summary>
/// What a stage's output holds, as <c>&lt;out-name&gt;.stats.json</c> beside it: counts, reasons of rejected answers,
/// quarantines and skips over every item (those finished by earlier, even killed, runs included), and the spending and
/// seconds of the last run. <c>planact report</c> draws from it.
/// </summary>
internal sealed record StageStats(
    string Stage,
    int Total,
    int Ok,
    int Quarantined,
    int Skipped,
    IReadOnlyDictionary<string, int> RejectedByReason,
    IReadOnlyDictionary<string, int> QuarantinedByReason,
    IReadOnlyDictionary<string, int> SkippedByReason,
    IReadOnlyList<CostLine> Costs,
    double Seconds,
    string? Shard = null)
{
    /// <summary>Answers accepted after the tolerant reading took dressing off them (apart from re-asks: these needed none).</summary>
    public int Normalized { get; init; }

    /// <summary>The dressing taken off accepted answers, by kind (<see cref="Teacher.Dressing"/>): how many answers had each.</summary>
    public IReadOnlyDictionary<string, int>? NormalizedByDressing { get; init; }

    /// <summary><c>plans.jsonl</c> → <c>plans.stats.json</c>.</summary>
    public static string PathBeside(string outPath) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outPath))!, Path.GetFileNameWithoutExtension(outPath) + ".stats.json");

    /// <summary>
    /// A fingerprint of a run's input files (their contents, not their times: a stage that finishes rewrites its output
    /// in order even when nothing changed) and settings. A stage whose fingerprint is unchanged has nothing to redo.
    /// </summary>
    public static async Task<string> FingerprintAsync(IEnumerable<string> files, string settings, CancellationToken cancellationToken)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        // This build of the program: its prompts and formats are part of what a stage made.
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"{settings} build={typeof(StageStats).Assembly.ManifestModule.ModuleVersionId}"));
        foreach (var file in files)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes("\n" + Path.GetFullPath(file) + "\n"));
            foreach (var digest in await FileDigests.OfTreeAsync(file, cancellationToken))
            {
                hash.AppendData(digest);
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public static Task WriteAsync(string path, StageStats stats, CancellationToken cancellationToken) =>
        AtomicFile.WriteAllTextAsync(path, JsonSerializer.Serialize(stats, StageStatsJsonContext.Indented.StageStats), cancellationToken);

    /// <summary>The stats at <paramref name="path"/>, or null when there are none (or they cannot be read: they are only a summary).</summary>
    public static StageStats? TryRead(string path) => OptionalJsonFile.TryRead(path, StageStatsJsonContext.Indented.StageStats);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StageStats))]
internal sealed partial class StageStatsJsonContext : JsonSerializerContext
{
    public static StageStatsJsonContext Indented { get; } = new(new JsonSerializerOptions(JsonlFile.RelaxedWriteOptions()) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true });
}
