using System.Text.Json;
using PlanAct.IO;

namespace PlanAct.Plans;

/// <summary>
/// Reads and writes canonical plan records as JSONL (schema <c>planact/plan@2</c>). <c>planact/plan@1</c> records still
/// read: their <c>trace</c> could be a grounded annotation's trace, so it is read as <see cref="PlanRecord.AnnotationTrace"/>,
/// never as training reasoning.
/// </summary>
internal static class PlanJsonl
{
    public const string SchemaId = "planact/plan@2";

    public const string LegacySchemaId = "planact/plan@1";

    /// <summary>Streams the valid plan records of a file; invalid lines and repeated ids go to <paramref name="problems"/>.</summary>
    public static IAsyncEnumerable<PlanRecord> ReadAsync(string path, ProblemLog problems, CancellationToken cancellationToken = default) =>
        ReadLocatedAsync(path, problems, cancellationToken).Select(p => p.Record);

    /// <summary>Like <see cref="ReadAsync"/>, with the line each record came from (for problems found later).</summary>
    public static IAsyncEnumerable<(PlanRecord Record, SourceLocation Location)> ReadLocatedAsync(
        string path, ProblemLog problems, CancellationToken cancellationToken = default) =>
        JsonlFile.ReadRecordsAsync(path, (text, location) => Parse(text, location, problems), r => r.Id, problems, cancellationToken);

    /// <summary>Reads one line as a plan record.</summary>
    /// <exception cref="InputException">The line is not a valid plan record.</exception>
    public static PlanRecord Read(string text, SourceLocation location) => Parse(text, location, new ProblemLog())!;

    internal static PlanRecord? Parse(string text, SourceLocation location, ProblemLog problems)
    {
        if (JsonlFile.Deserialize(text, PlanJsonContext.Default.PlanLine, location, problems) is not { } line)
        {
            return null;
        }

        var error = line switch
        {
            { Schema: { } schema } when schema is not (SchemaId or LegacySchemaId) => $"unsupported schema \"{schema}\" (expected \"{SchemaId}\")",
            { Id: var id } when string.IsNullOrWhiteSpace(id) => "missing \"id\"",
            { Task: var task } when string.IsNullOrWhiteSpace(task) => "missing or empty \"task\"",
            { InitialHtml: null } => "missing \"initial_html\"",
            { Steps: null or [] } => "no steps",
            { Origin: var origin } when string.IsNullOrWhiteSpace(origin) => "missing \"origin\"",
            { Label: { Class: var c } } when string.IsNullOrWhiteSpace(c) => "\"label\" has no \"class\"",
            _ => null,
        };
        error ??= StepsError(line.Steps!);
        if (error is not null)
        {
            problems.Error(location, error);
            return null;
        }

        return new PlanRecord(line.Id!, line.Site ?? "unknown", line.Task!, line.InitialHtml!, PlanOf(line.Steps!), line.Origin!)
        {
            Reasoning = line.Reasoning,
            AnnotationTrace = line.AnnotationTrace ?? line.LegacyTrace,
            Teacher = line.Teacher,
            Requests = line.Requests?.ToEquatableList(),
            Seeds = line.Seeds?.ToEquatableList(),
            InitialHtmlFrom = line.InitialHtmlFrom,
            Label = line.Label is { } label ? new FailureLabel(label.Class!, label.Reasoning ?? "") : null,
        };
    }

    public static string Format(PlanRecord record) => JsonSerializer.Serialize(
        new PlanLine
        {
            Schema = SchemaId,
            Id = record.Id,
            Site = record.Site,
            Task = record.Task,
            InitialHtml = record.InitialHtml,
            Steps = LinesOf(record.Plan),
            Origin = record.Origin,
            Reasoning = record.Reasoning,
            AnnotationTrace = record.AnnotationTrace,
            Teacher = record.Teacher,
            Requests = record.Requests?.ToList(),
            Seeds = record.Seeds?.ToList(),
            InitialHtmlFrom = record.InitialHtmlFrom,
            Label = record.Label is { } label ? new FailureLabelLine { Class = label.Class, Reasoning = label.Reasoning } : null,
        },
        PlanJsonContext.Relaxed.PlanLine);

    /// <summary>Why the step lines of a record do not make a plan, or null when they do.</summary>
    internal static string? StepsError(List<PlanStepLine?> steps) => steps.Select((s, i) => s switch
    {
        null => $"step {i + 1} is null",
        { Reasoning: var r } when string.IsNullOrWhiteSpace(r) => $"step {i + 1} has no \"reasoning\"",
        { Step: var st } when string.IsNullOrWhiteSpace(st) => $"step {i + 1} has no \"step\"",
        _ => null,
    }).FirstOrDefault(e => e is not null);

    /// <summary>The plan of step lines that passed <see cref="StepsError"/>.</summary>
    internal static Plan PlanOf(List<PlanStepLine?> steps) =>
        new(steps.Select((s, i) => new PlanStep(i + 1, s!.Reasoning!, s.Description, s.Step!, s.Actions?.ToEquatableList())).ToEquatableList());

    internal static List<PlanStepLine?> LinesOf(Plan plan) =>
        [.. plan.Steps.Select(s => new PlanStepLine { Reasoning = s.Reasoning, Description = s.Description, Step = s.Step, Actions = s.Actions?.ToList() })];
}
