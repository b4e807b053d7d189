using System.Text.Json.Serialization;
using PlanAct.IO;

namespace PlanAct.Training;

/// <summary>The JSON shape of one line of <c>planact/example@1</c> JSONL (see <c>schemas/example.schema.json</c>).</summary>
internal sealed record ExampleLine
{
    [JsonPropertyName("schema")] public string? Schema { get; init; }

    [JsonPropertyName("id")] public string? Id { get; init; }

    [JsonPropertyName("kind")] public string? Kind { get; init; }

    [JsonPropertyName("site")] public string? Site { get; init; }

    [JsonPropertyName("task")] public string? Task { get; init; }

    [JsonPropertyName("messages")] public List<MessageLine?>? Messages { get; init; }

    [JsonPropertyName("reasoning")] public string? Reasoning { get; init; }

    [JsonPropertyName("source")] public ExampleSourceLine? Source { get; init; }

    [JsonPropertyName("context")] public StepContextLine? Context { get; init; }

    [JsonPropertyName("teacher")] public string? Teacher { get; init; }

    [JsonPropertyName("requests")] public List<string>? Requests { get; init; }
}

internal sealed record MessageLine
{
    [JsonPropertyName("role")] public string? Role { get; init; }

    [JsonPropertyName("content")] public string? Content { get; init; }
}

internal sealed record ExampleSourceLine
{
    [JsonPropertyName("trajectory")] public string? Trajectory { get; init; }

    [JsonPropertyName("step")] public int? Step { get; init; }

    [JsonPropertyName("plan")] public string? Plan { get; init; }
}

internal sealed record StepContextLine
{
    [JsonPropertyName("role")] public string? Role { get; init; }

    [JsonPropertyName("page")] public string? Page { get; init; }

    [JsonPropertyName("plan")] public string? Plan { get; init; }

    [JsonPropertyName("action")] public string? Action { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ExampleLine))]
internal sealed partial class ExampleJsonContext : JsonSerializerContext
{
    public static ExampleJsonContext Relaxed { get; } = new(JsonlFile.RelaxedWriteOptions());
}
