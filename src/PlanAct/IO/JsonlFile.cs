using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace PlanAct.IO;

public static class JsonlFile
{
    /// <summary>Streams the non-blank lines of a file with their 1-based line numbers.</summary>
    /// <exception cref="InputException">The file does not exist.</exception>
    public static async IAsyncEnumerable<(int Line, string Text)> ReadLinesAsync(
        string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path))
        {
            throw new InputException(new SourceLocation(path), "no such file");
        }

        using var reader = new StreamReader(
            new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan),
            Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        var lineNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lineNumber++;
            if (!string.IsNullOrWhiteSpace(line))
            {
                yield return (lineNumber, line);
            }
        }
    }

    /// <summary>
    /// Streams the records of a JSONL file that <paramref name="parse"/> accepts, with their lines; lines it rejects
    /// (it reports them) and repeated ids go to <paramref name="problems"/>.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="parse">Parses one line, or reports a problem and gives null.</param>
    /// <param name="idOf">The id of a record.</param>
    /// <param name="problems">Gets the repeated ids.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    public static async IAsyncEnumerable<(T Record, SourceLocation Location)> ReadRecordsAsync<T>(
        string path,
        Func<string, SourceLocation, T?> parse,
        Func<T, string> idOf,
        ProblemLog problems,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where T : class
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var (lineNumber, text) in ReadLinesAsync(path, cancellationToken))
        {
            var location = new SourceLocation(path, lineNumber);
            if (parse(text, location) is not { } record)
            {
                continue;
            }

            if (!ids.TryAdd(idOf(record), lineNumber))
            {
                problems.Error(location, $"duplicate id \"{idOf(record)}\" (first at line {ids[idOf(record)]})");
                continue;
            }

            yield return (record, location);
        }
    }

    /// <summary>Writes one line per item to <paramref name="path"/> atomically (a reader never sees a half-written file); returns the count.</summary>
    public static async Task<int> WriteAsync<T>(
        string path, IAsyncEnumerable<T> items, Func<T, string> format, CancellationToken cancellationToken = default)
    {
        var count = 0;
        await AtomicFile.WriteTextAsync(path, async writer =>
        {
            await foreach (var item in items.WithCancellation(cancellationToken))
            {
                await writer.WriteAsync(format(item).AsMemory(), cancellationToken);
                await writer.WriteAsync("\n".AsMemory(), cancellationToken);
                count++;
            }
        }, cancellationToken);
        return count;
    }

    /// <summary>Options for writing records: HTML stays readable (no \u003C for every tag); output is data, never embedded in a page.</summary>
    public static JsonSerializerOptions RelaxedWriteOptions() => new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Deserializes one line; malformed JSON or a JSON null is reported as a problem and gives null.</summary>
    public static T? Deserialize<T>(string text, JsonTypeInfo<T> type, SourceLocation location, ProblemLog problems)
        where T : class
    {
        try
        {
            if (JsonSerializer.Deserialize(text, type) is { } value)
            {
                return value;
            }

            problems.Error(location, "expected a JSON object");
        }
        catch (JsonException e)
        {
            problems.Error(location, JsonErrors.Reason(e), e);
        }

        return null;
    }
}
