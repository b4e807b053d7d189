using PlanAct.IO;
using PlanAct.Training.Profiles;

namespace PlanAct.Training;

/// <summary>Which model an example trains.</summary>
internal enum ExampleKind
{
    Planner,
    Executor,
    Replanner,
}

/// <summary>Who speaks a chat message.</summary>
public enum MessageRole
{
    /// <summary>The instructions before the conversation.</summary>
    System,

    /// <summary>What the agent shows the model.</summary>
    User,

    /// <summary>What the model answers.</summary>
    Assistant,
}

/// <summary>One chat message of an example.</summary>
public sealed record ExampleMessage(MessageRole Role, string Content)
{
    /// <summary>A system message.</summary>
    public static ExampleMessage System(string content) => new(MessageRole.System, content);

    /// <summary>A user message.</summary>
    public static ExampleMessage User(string content) => new(MessageRole.User, content);

    /// <summary>An assistant message.</summary>
    public static ExampleMessage Assistant(string content) => new(MessageRole.Assistant, content);
}

/// <summary>What an example was made from: a trajectory (and the step, for executor and replanner examples) and/or a plan record.</summary>
internal sealed record ExampleSource(string? Trajectory, int? Step = null, string? Plan = null);

/// <summary>
/// What an executor example was made from at its step, beyond its trajectory: the page as observed (raw HTML), the plan
/// in force (training-target text) and the action taken. With the contexts of the trajectory's earlier steps it is the
/// executor's whole state, so <c>export</c> can lay the example out under any profile.
/// </summary>
internal sealed record StepContext(AgentRole Role, string Page, string Plan, string Action);

/// <summary>
/// The canonical training example (schema <c>planact/example@1</c>): a chat whose last message is the assistant target.
/// The teacher's reasoning for the target is kept apart in <see cref="Reasoning"/>; exporters decide whether to show it.
/// </summary>
internal sealed record TrainingExample(string Id, ExampleKind Kind, string Site, string Task, EquatableList<ExampleMessage> Messages, ExampleSource Source)
{
    /// <summary>The teacher's reasoning trace behind the target (CoT modes), never part of <see cref="Messages"/>.</summary>
    public string? Reasoning { get; init; }

    /// <summary>The teacher model whose answers built this example, if any.</summary>
    public string? Teacher { get; init; }

    /// <summary>Executor examples: what the step was made from, for laying it out under another profile.</summary>
    public StepContext? Context { get; init; }

    /// <summary>Ledger request ids whose answers built this example.</summary>
    public EquatableList<string>? Requests { get; init; }

    /// <summary>
    /// The group a train / validation split keeps this example with when it is not its trajectory: a synthetic or
    /// targeted plan's seed (the trajectory its first page comes from). Not written to example records.
    /// </summary>
    public string? SplitGroup { get; init; }

    /// <summary>The assistant message the model is trained to produce.</summary>
    public ExampleMessage Target => Messages[^1];

    /// <summary>Everything before the target.</summary>
    public IEnumerable<ExampleMessage> Prompt => Messages.Take(Messages.Count - 1);
}

internal static class ExampleNames
{
    public static string Of(ExampleKind kind) => kind switch
    {
        ExampleKind.Planner => "planner",
        ExampleKind.Executor => "executor",
        ExampleKind.Replanner => "replanner",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static string Of(MessageRole role) => role switch
    {
        MessageRole.System => "system",
        MessageRole.User => "user",
        MessageRole.Assistant => "assistant",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };

    public static ExampleKind? ParseKind(string? name) => name switch
    {
        "planner" => ExampleKind.Planner,
        "executor" => ExampleKind.Executor,
        "replanner" => ExampleKind.Replanner,
        _ => null,
    };

    public static MessageRole? ParseRole(string? name) => name switch
    {
        "system" => MessageRole.System,
        "user" => MessageRole.User,
        "assistant" => MessageRole.Assistant,
        _ => null,
    };
}
