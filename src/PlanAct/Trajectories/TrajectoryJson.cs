using System.Text.Json.Serialization;
using PlanAct.IO;

namespace PlanAct.Trajectories;

/// <summary>The JSON shape of one line of <c>planact/trajectory@2</c> JSONL (see <c>schemas/trajectory.schema.json</c>).</summary>
internal sealed record TrajectoryLine
{
    [JsonPropertyName("schema")] public string? Schema { get; init; }

    [JsonPropertyName("id")] public string? Id { get; init; }

    [JsonPropertyName("site")] public string? Site { get; init; }

    [JsonPropertyName("task")] public string? Task { get; init; }

    [JsonPropertyName("grammar")] public string? Grammar { get; init; }

    [JsonPropertyName("steps")] public List<StepLine?>? Steps { get; init; }

    [JsonPropertyName("source")] public SourceLine? Source { get; init; }

    [JsonPropertyName("score")] public double? Score { get; init; }
}

internal sealed record StepLine
{
    [JsonPropertyName("index")] public int? Index { get; init; }

    [JsonPropertyName("html")] public string? Html { get; init; }

    [JsonPropertyName("observation")] public string? Observation { get; init; }

    [JsonPropertyName("url")] public string? Url { get; init; }

    [JsonPropertyName("action")] public string? Action { get; init; }

    [JsonPropertyName("reasoning")] public string? Reasoning { get; init; }
}

internal sealed record SourceLine
{
    [JsonPropertyName("file")] public string? File { get; init; }

    [JsonPropertyName("line")] public int? Line { get; init; }

    [JsonPropertyName("element")] public int? Element { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TrajectoryLine))]
internal sealed partial class TrajectoryJsonContext : JsonSerializerContext
{
    public static TrajectoryJsonContext Relaxed { get; } = new(JsonlFile.RelaxedWriteOptions());
}
