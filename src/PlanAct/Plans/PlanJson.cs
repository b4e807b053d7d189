using System.Text.Json.Serialization;
using PlanAct.IO;

namespace PlanAct.Plans;

internal sealed record PlanLine
{
    [JsonPropertyName("schema")] public string? Schema { get; init; }

    [JsonPropertyName("id")] public string? Id { get; init; }

    [JsonPropertyName("site")] public string? Site { get; init; }

    [JsonPropertyName("task")] public string? Task { get; init; }

    [JsonPropertyName("initial_html")] public string? InitialHtml { get; init; }

    [JsonPropertyName("steps")] public List<PlanStepLine?>? Steps { get; init; }

    [JsonPropertyName("origin")] public string? Origin { get; init; }

    [JsonPropertyName("reasoning")] public string? Reasoning { get; init; }

    [JsonPropertyName("annotation_trace")] public string? AnnotationTrace { get; init; }

    /// <summary>plan@1's only reasoning field, which may hold a grounded annotation's trace.</summary>
    [JsonPropertyName("trace")] public string? LegacyTrace { get; init; }

    [JsonPropertyName("teacher")] public string? Teacher { get; init; }

    [JsonPropertyName("requests")] public List<string>? Requests { get; init; }

    [JsonPropertyName("seeds")] public List<string>? Seeds { get; init; }

    [JsonPropertyName("initial_html_from")] public string? InitialHtmlFrom { get; init; }

    [JsonPropertyName("label")] public FailureLabelLine? Label { get; init; }
}

internal sealed record FailureLabelLine
{
    [JsonPropertyName("class")] public string? Class { get; init; }

    [JsonPropertyName("reasoning")] public string? Reasoning { get; init; }
}

internal sealed record PlanStepLine
{
    [JsonPropertyName("reasoning")] public string? Reasoning { get; init; }

    [JsonPropertyName("description")] public string? Description { get; init; }

    [JsonPropertyName("step")] public string? Step { get; init; }

    [JsonPropertyName("actions")] public List<int>? Actions { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PlanLine))]
internal sealed partial class PlanJsonContext : JsonSerializerContext
{
    public static PlanJsonContext Relaxed { get; } = new(JsonlFile.RelaxedWriteOptions());
}
