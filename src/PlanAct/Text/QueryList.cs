using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using PlanAct.IO;

namespace PlanAct.Text;

/// <summary>One query of a query list, with the sites it names (empty when it names none) and where it was read.</summary>
internal sealed record QueryListEntry(string Query, EquatableList<string> Sites, SourceLocation Location);

/// <summary>
/// Reads a list of queries: seed intents, or benchmark test intents to keep out of generated data. The format is
/// told by the first character that is not white space: <c>[</c> a JSON array, <c>{</c> JSONL, anything else plain
/// text with one query per line (always, for a <c>.txt</c> file). A JSON element or line is a string, or an object whose <c>intent</c>, <c>task</c> or
/// <c>query</c> field (the first present) holds the query, with an optional <c>site</c> string or <c>sites</c> array.
/// This reads WebArena task configs (<c>test_webarena_lite.raw.json</c>), WebRL's task list and our plan records.
/// </summary>
internal static class QueryListReader
{
    private static readonly string[] QueryFields = ["intent", "task", "query"];

    /// <summary>Streams the queries of <paramref name="path"/>; bad elements or lines go to <paramref name="problems"/>.</summary>
    /// <exception cref="InputException">The file is missing, or (in strict mode) an element or line is bad.</exception>
    public static async IAsyncEnumerable<QueryListEntry> ReadAsync(
        string path, ProblemLog problems, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var first = await FirstCharacterAsync(path, cancellationToken);
        var source = Path.GetExtension(path).Equals(".txt", StringComparison.OrdinalIgnoreCase) ? ReadTextAsync(path, cancellationToken) : first switch
        {
            '[' => ReadArrayAsync(path, problems, cancellationToken),
            '{' => ReadJsonLinesAsync(path, problems, cancellationToken),
            _ => ReadTextAsync(path, cancellationToken),
        };
        await foreach (var entry in source)
        {
            yield return entry;
        }
    }

    private static async Task<char?> FirstCharacterAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new InputException(new SourceLocation(path), "no such file");
        }

        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer, cancellationToken)) > 0)
        {
            foreach (var c in buffer.AsSpan(0, read))
            {
                if (!char.IsWhiteSpace(c))
                {
                    return c;
                }
            }
        }

        return null;
    }

    private static async IAsyncEnumerable<QueryListEntry> ReadTextAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (line, text) in JsonlFile.ReadLinesAsync(path, cancellationToken: cancellationToken))
        {
            yield return new QueryListEntry(text.Trim(), EquatableList<string>.Empty, new SourceLocation(path, line));
        }
    }

    private static async IAsyncEnumerable<QueryListEntry> ReadJsonLinesAsync(
        string path, ProblemLog problems, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (line, text) in JsonlFile.ReadLinesAsync(path, cancellationToken: cancellationToken))
        {
            var location = new SourceLocation(path, line);
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(text);
            }
            catch (JsonException e)
            {
                problems.Error(location, JsonErrors.Reason(e), e);
                continue;
            }

            using (document)
            {
                if (Entry(document.RootElement, location, problems) is { } entry)
                {
                    yield return entry;
                }
            }
        }
    }

    private static IAsyncEnumerable<QueryListEntry> ReadArrayAsync(string path, ProblemLog problems, CancellationToken cancellationToken) =>
        JsonArrayFile.ReadAsync(path, QueryListJsonContext.Default.JsonElement, "malformed JSON array", cancellationToken: cancellationToken)
            .Select(e => Entry(e.Element, new SourceLocation(path, Element: e.Index), problems))
            .OfType<QueryListEntry>();

    private static QueryListEntry? Entry(JsonElement element, SourceLocation location, ProblemLog problems)
    {
        string? query = null;
        var sites = EquatableList<string>.Empty;
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                query = element.GetString();
                break;
            case JsonValueKind.Object:
                var field = QueryFields.FirstOrDefault(f => element.TryGetProperty(f, out _));
                if (field is null)
                {
                    problems.Error(location, "expected an \"intent\", \"task\" or \"query\" field");
                    return null;
                }

                if (element.GetProperty(field) is not { ValueKind: JsonValueKind.String } value)
                {
                    problems.Error(location, $"\"{field}\" is not a string");
                    return null;
                }

                query = value.GetString();
                if (SitesOf(element) is not { } named)
                {
                    problems.Error(location, "\"site\" must be a string and \"sites\" an array of strings");
                    return null;
                }

                sites = named;
                break;
            default:
                problems.Error(location, $"expected a string or an object, not {element.ValueKind.ToString().ToLowerInvariant()}");
                return null;
        }

        if (string.IsNullOrWhiteSpace(query))
        {
            problems.Error(location, "empty query");
            return null;
        }

        return new QueryListEntry(query.Trim(), sites, location);
    }

    private static EquatableList<string>? SitesOf(JsonElement element)
    {
        if (element.TryGetProperty("site", out var site))
        {
            return site.ValueKind == JsonValueKind.String ? new EquatableList<string>([site.GetString()!]) : null;
        }

        if (!element.TryGetProperty("sites", out var sites))
        {
            return EquatableList<string>.Empty;
        }

        if (sites.ValueKind != JsonValueKind.Array || sites.EnumerateArray().Any(s => s.ValueKind != JsonValueKind.String))
        {
            return null;
        }

        return new EquatableList<string>(sites.EnumerateArray().Select(s => s.GetString()!));
    }
}

[JsonSerializable(typeof(JsonElement))]
internal sealed partial class QueryListJsonContext : JsonSerializerContext;
