using System.Text.Json;
using PlanAct.IO;
using PlanAct.Training.Profiles;

namespace PlanAct.Training;

/// <summary>Reads and writes training examples as JSONL, one example per line (schema <c>planact/example@1</c>).</summary>
internal static class ExampleJsonl
{
    public const string SchemaId = "planact/example@1";

    /// <summary>Streams the valid examples of a file; invalid lines and duplicate ids go to <paramref name="problems"/> with their line.</summary>
    public static IAsyncEnumerable<TrainingExample> ReadAsync(string path, ProblemLog problems, CancellationToken cancellationToken = default) =>
        ReadLocatedAsync(path, problems, cancellationToken).Select(e => e.Record);

    /// <summary>As <see cref="ReadAsync"/>, with each example's line.</summary>
    public static IAsyncEnumerable<(TrainingExample Record, SourceLocation Location)> ReadLocatedAsync(string path, ProblemLog problems, CancellationToken cancellationToken = default) =>
        JsonlFile.ReadRecordsAsync(path, (text, location) => Parse(text, location, problems), e => e.Id, problems, cancellationToken);

    /// <summary>Reads one line as a training example.</summary>
    /// <exception cref="InputException">The line is not a valid example.</exception>
    public static TrainingExample Read(string text, SourceLocation location) => Parse(text, location, new ProblemLog())!;

    /// <summary>Parses and validates one line; reports a problem and returns null when it is not a valid example.</summary>
    internal static TrainingExample? Parse(string text, SourceLocation location, ProblemLog problems)
    {
        if (JsonlFile.Deserialize(text, ExampleJsonContext.Default.ExampleLine, location, problems) is not { } line)
        {
            return null;
        }

        var error = line switch
        {
            { Schema: { } schema } when schema != SchemaId => $"unsupported schema \"{schema}\" (expected \"{SchemaId}\")",
            { Id: var id } when string.IsNullOrWhiteSpace(id) => "missing \"id\"",
            { Kind: var kind } when ExampleNames.ParseKind(kind) is null => $"\"kind\" must be planner, executor or replanner; got {Quote(kind)}",
            { Task: var task } when string.IsNullOrWhiteSpace(task) => "missing or empty \"task\"",
            { Messages: null or [] } => "no messages",
            { Source: null } => "missing \"source\"",
            { Context: { } stepContext } when AgentRoles.Parse(stepContext.Role) is not (AgentRole.Executor or AgentRole.DynamicExecutor) =>
                $"\"context.role\" must be executor or dynamic-executor; got {Quote(stepContext.Role)}",
            { Context: { Page: null } or { Plan: null } or { Action: null } } => "\"context\" needs \"page\", \"plan\" and \"action\"",
            _ => null,
        };
        error ??= line.Messages!.Select((m, i) => m switch
        {
            null => $"message {i} is null",
            { Role: var role } when ExampleNames.ParseRole(role) is null => $"message {i}: \"role\" must be system, user or assistant; got {Quote(role)}",
            { Content: null } => $"message {i} has no \"content\"",
            _ => null,
        }).FirstOrDefault(e => e is not null);
        if (error is not null)
        {
            problems.Error(location, error);
            return null;
        }

        var example = new TrainingExample(
            line.Id!,
            ExampleNames.ParseKind(line.Kind)!.Value,
            string.IsNullOrWhiteSpace(line.Site) ? "unknown" : line.Site,
            line.Task!,
            line.Messages!.Select(m => new ExampleMessage(ExampleNames.ParseRole(m!.Role)!.Value, m.Content!)).ToEquatableList(),
            new ExampleSource(line.Source!.Trajectory, line.Source.Step, line.Source.Plan))
        {
            Reasoning = line.Reasoning,
            Context = line.Context is { } context ? new StepContext(AgentRoles.Parse(context.Role)!.Value, context.Page!, context.Plan!, context.Action!) : null,
            Teacher = line.Teacher,
            Requests = line.Requests?.ToEquatableList(),
        };
        var errors = ExampleValidator.Validate(example);
        if (errors.Count > 0)
        {
            problems.Error(location, $"example \"{example.Id}\": {string.Join("; ", errors)}");
            return null;
        }

        return example;
    }

    private static string Quote(string? value) => value is null ? "nothing" : $"\"{value}\"";

    public static string Format(TrainingExample example) => JsonSerializer.Serialize(Line(example), ExampleJsonContext.Relaxed.ExampleLine);

    /// <summary>
    /// Writes the line of <see cref="Format"/> as UTF-8 to <paramref name="writer"/> (made with <see cref="WriterOptions"/>),
    /// without the string, its copy with a newline and its bytes: a large example makes all three on the large object heap.
    /// </summary>
    public static void Write(Utf8JsonWriter writer, TrainingExample example) => JsonSerializer.Serialize(writer, Line(example), ExampleJsonContext.Relaxed.ExampleLine);

    /// <summary>What a writer for <see cref="Write"/> is made with: the escaping of <see cref="Format"/>.</summary>
    public static JsonWriterOptions WriterOptions => new() { Encoder = ExampleJsonContext.Relaxed.Options.Encoder };

    private static ExampleLine Line(TrainingExample example) =>
        new()
        {
            Schema = SchemaId,
            Id = example.Id,
            Kind = ExampleNames.Of(example.Kind),
            Site = example.Site,
            Task = example.Task,
            Messages = [.. example.Messages.Select(m => new MessageLine { Role = ExampleNames.Of(m.Role), Content = m.Content })],
            Reasoning = example.Reasoning,
            Source = new ExampleSourceLine { Trajectory = example.Source.Trajectory, Step = example.Source.Step, Plan = example.Source.Plan },
            Context = example.Context is { } context
                ? new StepContextLine { Role = AgentRoles.Name(context.Role), Page = context.Page, Plan = context.Plan, Action = context.Action }
                : null,
            Teacher = example.Teacher,
            Requests = example.Requests?.ToList(),
        };

    /// <summary>
    /// Writes all examples to <paramref name="path"/> atomically. Every example must pass <see cref="ExampleValidator"/>:
    /// a builder that makes an invalid one is a bug, so nothing is written.
    /// </summary>
    /// <exception cref="InvalidOperationException">An example is invalid.</exception>
    public static Task<int> WriteAsync(string path, IAsyncEnumerable<TrainingExample> examples, CancellationToken cancellationToken = default) =>
        JsonlFile.WriteAsync(path, examples, example => Format(EnsureValid(example)), cancellationToken);

    public static TrainingExample EnsureValid(TrainingExample example)
    {
        var errors = ExampleValidator.Validate(example);
        return errors.Count == 0
            ? example
            : throw new InvalidOperationException($"example \"{example.Id}\" is invalid: {string.Join("; ", errors)}");
    }
}
