using System.Runtime.CompilerServices;
using System.Text.Json;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Training.Profiles;

namespace PlanAct.Training;

/// <summary>What a JSONL file of training records holds.</summary>
internal enum TrainingRecordKind
{
    /// <summary><c>planact/example@1</c> lines.</summary>
    Examples,

    /// <summary><c>planact/plan@2</c> lines, turned into planner examples.</summary>
    Plans,

    /// <summary><c>planact/replan@2</c> lines, turned into replanner examples (one per round).</summary>
    Replans,
}

/// <summary>
/// The builders that turn plan and replan records into examples under a profile, and lay executor example records out
/// again when the profile is not the <c>planact</c> one they were written in. What the profile refuses is in <see cref="Refusals"/>.
/// </summary>
internal sealed class ExampleBuilders
{
    private readonly ExecutorRelayout? _executors;

    /// <param name="options">The profile and page budget.</param>
    /// <param name="hindsight">The hindsight check of planner and replanner examples (null: none).</param>
    public ExampleBuilders(ExamplePageOptions options, HindsightScreen? hindsight = null)
    {
        Profile = options.Profile;
        Hindsight = hindsight;
        Planner = new PlannerExamples(options, Refusals, hindsight);
        Replanner = new ReplannerExamples(options, Refusals, hindsight);
        _executors = options.Profile == PromptProfile.PlanAct ? null : new ExecutorRelayout(options, Refusals);
    }

    /// <summary>The profile every builder lays its examples out in.</summary>
    public PromptProfile Profile { get; }

    public PlannerExamples Planner { get; }

    public ReplannerExamples Replanner { get; }

    public ExampleRefusals Refusals { get; } = new();

    /// <summary>The hindsight check the builders apply, if any.</summary>
    public HindsightScreen? Hindsight { get; }

    /// <summary>Pages cut to the token budget by any builder so far.</summary>
    public int PagesCut => Planner.PagesCut + Replanner.PagesCut + (_executors?.PagesCut ?? 0);

    internal TrainingExample? Executor(TrainingExample example, SourceLocation location) =>
        _executors is null || example.Kind != ExampleKind.Executor ? example : _executors.Relayout(example, location);
}

/// <summary>Reads example, plan or replan records as training examples, telling them apart by the first record.</summary>
internal static class TrainingRecords
{
    /// <summary>
    /// The kind of the first JSON object in the file: its <c>schema</c> when present, else its fields (<c>messages</c> →
    /// examples, <c>rounds</c> → replans, <c>steps</c> → plans). Lines before it that are not JSON objects are left to the reader to report.
    /// </summary>
    public static async Task<TrainingRecordKind> DetectAsync(string path, CancellationToken cancellationToken = default)
    {
        var any = false;
        await foreach (var (lineNumber, text) in JsonlFile.ReadLinesAsync(path, cancellationToken: cancellationToken))
        {
            any = true;
            if (KindOf(text, new SourceLocation(path, lineNumber)) is { } kind)
            {
                return kind;
            }
        }

        return any ? TrainingRecordKind.Examples : throw new InputException(new SourceLocation(path), "the file is empty");
    }

    private static TrainingRecordKind? KindOf(string text, SourceLocation location)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }

        using var owner = doc;
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (root.TryGetProperty("schema", out var schema) && schema.ValueKind == JsonValueKind.String)
        {
            return schema.GetString() switch
            {
                ExampleJsonl.SchemaId => TrainingRecordKind.Examples,
                PlanJsonl.SchemaId or PlanJsonl.LegacySchemaId => TrainingRecordKind.Plans,
                ReplanJsonl.SchemaId or ReplanJsonl.LegacySchemaId => TrainingRecordKind.Replans,
                var other => throw new InputException(location, $"unsupported schema \"{other}\" (expected \"{ExampleJsonl.SchemaId}\", \"{PlanJsonl.SchemaId}\" or \"{ReplanJsonl.SchemaId}\")"),
            };
        }

        return root.TryGetProperty("messages", out _) ? TrainingRecordKind.Examples
            : root.TryGetProperty("rounds", out _) ? TrainingRecordKind.Replans
            : root.TryGetProperty("steps", out _) ? TrainingRecordKind.Plans
            : throw new InputException(location, "neither an example record (\"messages\"), a plan record (\"steps\") nor a replan record (\"rounds\")");
    }

    /// <summary>Streams the examples of <paramref name="path"/>; plan and replan records become examples made by <paramref name="builders"/>.</summary>
    public static async IAsyncEnumerable<TrainingExample> ReadAsync(
        string path, ExampleBuilders builders, ProblemLog problems, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var examples = await DetectAsync(path, cancellationToken) switch
        {
            TrainingRecordKind.Plans => PlanJsonl.ReadAsync(path, problems, cancellationToken).Select(builders.Planner.TryBuild),
            TrainingRecordKind.Replans => ReplanJsonl.ReadLocatedAsync(path, problems, cancellationToken).SelectMany(r => builders.Replanner.Build(r.Record).ToAsyncEnumerable()),
            _ => ExampleJsonl.ReadLocatedAsync(path, problems, cancellationToken).Select(e => builders.Executor(e.Record, e.Location)),
        };
        await foreach (var example in examples)
        {
            if (example is not null)
            {
                yield return example;
            }
        }
    }
}
