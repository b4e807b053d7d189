using System.Text.Json;
using System.Text.Json.Serialization;
using PlanAct.Actions;
using PlanAct.IO;

namespace PlanAct.Plans;

/// <summary>
/// Reads and writes replan records as JSONL, one trajectory per line (schema <c>planact/replan@2</c>).
/// <c>planact/replan@1</c> records still read: their rounds' <c>trace</c> was thought seeing the actions still to take, so
/// it is read as <see cref="ReplanRound.AnnotationTrace"/>, never as training reasoning.
/// </summary>
internal static class ReplanJsonl
{
    public const string SchemaId = "planact/replan@2";

    public const string LegacySchemaId = "planact/replan@1";

    /// <summary>Streams the valid replan records of a file with their lines; invalid lines and repeated ids go to <paramref name="problems"/>.</summary>
    public static IAsyncEnumerable<(ReplanRecord Record, SourceLocation Location)> ReadLocatedAsync(
        string path, ProblemLog problems, CancellationToken cancellationToken = default) =>
        JsonlFile.ReadRecordsAsync(path, (text, location) => Parse(text, location, problems), r => r.Id, problems, cancellationToken);

    /// <summary>Reads one line as a replan record.</summary>
    /// <exception cref="InputException">The line is not a valid replan record.</exception>
    public static ReplanRecord Read(string text, SourceLocation location) => Parse(text, location, new ProblemLog())!;

    internal static ReplanRecord? Parse(string text, SourceLocation location, ProblemLog problems)
    {
        if (JsonlFile.Deserialize(text, ReplanJsonContext.Default.ReplanLine, location, problems) is not { } line)
        {
            return null;
        }

        var error = line switch
        {
            { Schema: { } schema } when schema is not (SchemaId or LegacySchemaId) => $"unsupported schema \"{schema}\" (expected \"{SchemaId}\")",
            { Id: var id } when string.IsNullOrWhiteSpace(id) => "missing \"id\"",
            { Task: var task } when string.IsNullOrWhiteSpace(task) => "missing or empty \"task\"",
            { Actions: null or [] } => "no actions",
            { InitialPlan: null or [] } => "no \"initial_plan\"",
            { Rounds: null } => "missing \"rounds\"",
            { Grammar: { } g } when !ActionGrammars.TryParseName(g, out _) => $"unknown grammar \"{g}\" (expected one of {ActionGrammars.Names})",
            _ => null,
        };
        error ??= PlanJsonl.StepsError(line.InitialPlan!) is { } initial ? $"initial plan: {initial}" : null;
        error ??= line.Rounds!.Select((r, i) => r switch
        {
            null => $"round {i + 1} is null",
            { Html: null } => $"round {i + 1} has no \"html\"",
            { Steps: null or [] } => $"round {i + 1} has no steps",
            _ => PlanJsonl.StepsError(r.Steps) is { } steps ? $"round {i + 1}: {steps}" : null,
        }).FirstOrDefault(e => e is not null);
        var grammar = ActionGrammars.TryParseName(line.Grammar, out var named) ? named : ActionGrammar.WebRl;
        var actions = new List<WebAction>();
        foreach (var (action, i) in (line.Actions ?? []).Select((a, i) => (a, i)))
        {
            if (error is not null)
            {
                break;
            }

            if (!ActionParser.TryParse(action ?? "", grammar, out var parsed, out var why))
            {
                error = $"action {i}: {why}";
            }
            else
            {
                actions.Add(parsed!);
            }
        }

        if (error is not null)
        {
            problems.Error(location, error);
            return null;
        }

        var rounds = line.Rounds!.Select(r => new ReplanRound(r!.Round, r.Html!, PlanJsonl.PlanOf(r.Steps!))
        {
            Reasoning = r.Reasoning,
            AnnotationTrace = r.AnnotationTrace ?? r.LegacyTrace,
            Requests = r.Requests?.ToEquatableList(),
        });
        var record = new ReplanRecord(line.Id!, line.Site ?? "unknown", line.Task!, actions.ToEquatableList(), PlanJsonl.PlanOf(line.InitialPlan!), rounds.ToEquatableList())
        {
            Teacher = line.Teacher,
        };
        var errors = record.Validate();
        if (errors.Count > 0)
        {
            problems.Error(location, $"replans \"{record.Id}\": {string.Join(" ", errors)}");
            return null;
        }

        return record;
    }

    public static string Format(ReplanRecord record) => JsonSerializer.Serialize(
        new ReplanLine
        {
            Schema = SchemaId,
            Id = record.Id,
            Site = record.Site,
            Task = record.Task,
            Grammar = record.Actions.Count > 0 && record.Actions[0].Grammar != ActionGrammar.WebRl ? record.Actions[0].Grammar.Name() : null,
            Actions = [.. record.Actions.Select(ActionPrinter.Print)],
            InitialPlan = PlanJsonl.LinesOf(record.InitialPlan),
            Rounds = [.. record.Rounds.Select(r => new ReplanRoundLine
            {
                Round = r.Round,
                Html = r.Html,
                Steps = PlanJsonl.LinesOf(r.Plan),
                Reasoning = r.Reasoning,
                AnnotationTrace = r.AnnotationTrace,
                Requests = r.Requests?.ToList(),
            })],
            Teacher = record.Teacher,
        },
        ReplanJsonContext.Relaxed.ReplanLine);
}

internal sealed record ReplanLine
{
    [JsonPropertyName("schema")] public string? Schema { get; init; }

    [JsonPropertyName("id")] public string? Id { get; init; }

    [JsonPropertyName("site")] public string? Site { get; init; }

    [JsonPropertyName("task")] public string? Task { get; init; }

    [JsonPropertyName("grammar")] public string? Grammar { get; init; }

    [JsonPropertyName("actions")] public List<string?>? Actions { get; init; }

    [JsonPropertyName("initial_plan")] public List<PlanStepLine?>? InitialPlan { get; init; }

    [JsonPropertyName("rounds")] public List<ReplanRoundLine?>? Rounds { get; init; }

    [JsonPropertyName("teacher")] public string? Teacher { get; init; }
}

internal sealed record ReplanRoundLine
{
    [JsonPropertyName("round")] public int Round { get; init; }

    [JsonPropertyName("html")] public string? Html { get; init; }

    [JsonPropertyName("steps")] public List<PlanStepLine?>? Steps { get; init; }

    [JsonPropertyName("reasoning")] public string? Reasoning { get; init; }

    [JsonPropertyName("annotation_trace")] public string? AnnotationTrace { get; init; }

    /// <summary>replan@1's only reasoning field, thought seeing the actions still to take.</summary>
    [JsonPropertyName("trace")] public string? LegacyTrace { get; init; }

    [JsonPropertyName("requests")] public List<string>? Requests { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ReplanLine))]
internal sealed partial class ReplanJsonContext : JsonSerializerContext
{
    public static ReplanJsonContext Relaxed { get; } = new(JsonlFile.RelaxedWriteOptions());
}
