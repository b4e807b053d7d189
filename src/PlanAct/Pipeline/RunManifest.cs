using System.Text.Json;
using System.Text.Json.Serialization;
using PlanAct.Inspection;
using PlanAct.IO;
using PlanAct.Teacher.Cost;

namespace PlanAct.Pipeline;

/// <summary>
/// The input as validated: what the report's site mix and steps come from, and the fingerprint of the file and of how
/// it was read, so that a later run of the same input need not read it again.
/// </summary>
internal sealed record RunInput(int Trajectories, int Steps, IReadOnlyDictionary<string, int> Sites, Distribution StepsPerTrajectory, string? Fingerprint = null);

/// <summary>A file a stage wrote, relative to the run directory.</summary>
internal sealed record RunOutput(string Path, string? TrainingData);

/// <summary>One stage of a run: how it ended, what it wrote, where its statistics are.</summary>
internal sealed record RunStage(string Stage, string Status, string Summary, double Seconds, int Problems, IReadOnlyList<RunOutput> Outputs, string? Stats);

/// <summary>What the ledger holds for one stage and model, priced as answered: online or through the Batch API (null: price unknown).</summary>
internal sealed record RunCost(string Stage, string Model, int Requests, int Answered, long InputTokens, long OutputTokens, int Sends, decimal? Dollars)
{
    /// <summary>The grand total of <paramref name="costs"/> (stage and model <c>total</c>); its dollars are unknown when any line's are.</summary>
    public static RunCost Total(IReadOnlyList<RunCost> costs) => new(
        "total", "total", costs.Sum(c => c.Requests), costs.Sum(c => c.Answered), costs.Sum(c => c.InputTokens), costs.Sum(c => c.OutputTokens), costs.Sum(c => c.Sends),
        costs.Any(c => c.Dollars is null) ? null : costs.Sum(c => c.Dollars!.Value));
}

/// <summary>A Batch API request file a dry run wrote.</summary>
internal sealed record RunRequestFile(string Path, string Model, int Requests, long Bytes);

/// <summary>
/// <c>run.json</c> in the run directory: the last run of the pipeline, written at its end. Paths are relative to the run
/// directory (the ledger's too when it is inside it; otherwise absolute). <c>planact report</c> reads it. The estimate (requests still waiting) is priced both online and through the
/// Batch API, per stage and model and in total.
/// </summary>
internal sealed record RunManifest(
    string RunId,
    string Pipeline,
    string PipelineFile,
    string Command,
    string Mode,
    DateTimeOffset Started,
    DateTimeOffset Finished,
    string Teacher,
    string Ledger,
    string? Shard,
    RunInput? Input,
    IReadOnlyList<RunStage> Stages,
    IReadOnlyList<RunCost> Costs,
    IReadOnlyList<CostEstimateLine> Estimate,
    IReadOnlyList<RunRequestFile> RequestFiles,
    CostEstimateTotal? EstimateTotal = null,
    RunCost? CostTotal = null)
{
    public static Task WriteAsync(string path, RunManifest manifest, CancellationToken cancellationToken) =>
        AtomicFile.WriteAllTextAsync(path, JsonSerializer.Serialize(manifest, RunManifestJsonContext.Indented.RunManifest), cancellationToken);

    public static RunManifest Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(new SourceLocation(path), $"cannot read the run manifest: {e.Message} (is this a run directory of `planact run`?)", e);
        }

        try
        {
            return JsonSerializer.Deserialize(text, RunManifestJsonContext.Indented.RunManifest)
                ?? throw new InputException(new SourceLocation(path), "the run manifest is empty");
        }
        catch (JsonException e)
        {
            throw new InputException(new SourceLocation(path, (int)(e.LineNumber ?? 0) + 1), $"not a run manifest: {e.Message}", e);
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(RunManifest))]
internal sealed partial class RunManifestJsonContext : JsonSerializerContext
{
    public static RunManifestJsonContext Indented { get; } = new(new JsonSerializerOptions(JsonlFile.RelaxedWriteOptions()) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true });
}
