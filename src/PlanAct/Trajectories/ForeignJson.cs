using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using PlanAct.IO;

namespace PlanAct.Trajectories;

[JsonSerializable(typeof(JsonElement))]
internal sealed partial class ForeignJsonContext : JsonSerializerContext;

/// <summary>Small helpers for reading other tools' JSON, where fields may be missing, null or of another type.</summary>
internal static class ForeignJson
{
    /// <summary>The elements of a file holding one JSON array, streamed, as untyped JSON.</summary>
    public static IAsyncEnumerable<(int Index, JsonElement Element)> ReadArrayAsync(string path, string what, bool replaceInvalidUtf8, CancellationToken cancellationToken) =>
        JsonArrayFile.ReadAsync(path, ForeignJsonContext.Default.JsonElement, what, replaceInvalidUtf8, cancellationToken);

    /// <summary>A property of an object, or null when the element is not an object, lacks it, or holds JSON null.</summary>
    public static JsonElement? Get(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    /// <summary>A string property, or a number written as text (ids are sometimes numbers).</summary>
    public static string? Text(this JsonElement element, string name) => element.Get(name) switch
    {
        { ValueKind: JsonValueKind.String } s => s.GetString(),
        { ValueKind: JsonValueKind.Number } n => n.GetRawText(),
        _ => null,
    };

    public static double? Number(this JsonElement element, string name) =>
        element.Get(name) is { ValueKind: JsonValueKind.Number } n ? n.GetDouble() : null;

    public static int? Integer(this JsonElement element, string name) =>
        element.Get(name) is { ValueKind: JsonValueKind.Number } n && n.TryGetInt32(out var i) ? i : null;

    public static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
