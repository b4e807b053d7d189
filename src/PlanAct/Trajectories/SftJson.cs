using System.Text.Json.Serialization;

namespace PlanAct.Trajectories;

/// <summary>One element of a WebArena-Lite SFT array: a human prompt and the gpt action.</summary>
internal sealed record SftElement([property: JsonPropertyName("conversations")] List<SftTurn>? Conversations);

internal sealed record SftTurn(
    [property: JsonPropertyName("from")] string? From,
    [property: JsonPropertyName("value")] string? Value);

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(SftElement))]
internal sealed partial class SftJsonContext : JsonSerializerContext;
