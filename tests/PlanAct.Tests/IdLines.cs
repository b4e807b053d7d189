using System.Text.Json;
using PlanAct.IO;

namespace PlanAct.Tests;

/// <summary>The records of the tests' own toy stages: any JSON object with a string <c>id</c>.</summary>
internal static class IdLines
{
    public static string IdOf(string line, SourceLocation location) =>
        JsonDocument.Parse(line).RootElement is { ValueKind: JsonValueKind.Object } record && record.TryGetProperty("id", out var id) && id.GetString() is { } text
            ? text
            : throw new InputException(location, "no \"id\"");
}
