using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace PlanAct.IO;

internal static class JsonlFile
{
    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Streams the non-blank lines of a UTF-8 file (a byte order mark and Windows line ends are fine) with their 1-based
    /// line numbers. Bytes that are not UTF-8 stop the read at their line, unless <paramref name="replaceInvalidUtf8"/>
    /// puts U+FFFD in their place.
    /// </summary>
    /// <exception cref="InputException">The file does not exist, or a line is not UTF-8.</exception>
    public static async IAsyncEnumerable<(int Line, string Text)> ReadLinesAsync(
        string path, bool replaceInvalidUtf8 = false, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path))
        {
            throw new InputException(new SourceLocation(path), "no such file");
        }

        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await foreach (var (bytes, start, _, number) in ByteLines.ReadAsync(stream, includeTail: true, cancellationToken))
        {
            var line = Decode(bytes.Span, start == 0, replaceInvalidUtf8, new SourceLocation(path, number));
            if (!string.IsNullOrWhiteSpace(line))
            {
                yield return (number, line);
            }
        }
    }

    /// <summary>One line's text: without the byte order mark of the file's first line and the <c>\r</c> of a Windows line end.</summary>
    internal static string Decode(ReadOnlySpan<byte> bytes, bool first, bool replaceInvalidUtf8, SourceLocation location)
    {
        if (first && bytes.StartsWith(Encoding.UTF8.Preamble))
        {
            bytes = bytes[Encoding.UTF8.Preamble.Length..];
        }

        if (bytes.EndsWith("\r"u8))
        {
            bytes = bytes[..^1];
        }

        if (replaceInvalidUtf8)
        {
            return Encoding.UTF8.GetString(bytes);
        }

        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new InputException(location, $"{InvalidUtf8(e)} at byte {e.Index + 1} of the line{InvalidUtf8Hint}", e);
        }
    }

    /// <summary>How to read a file with invalid UTF-8 anyway; said with every such error.</summary>
    public const string InvalidUtf8Hint = " (pass --replace-invalid-utf8 to read it with U+FFFD in place of such bytes)";

    /// <summary>"invalid UTF-8 (0xFF)": what a strict decoder met.</summary>
    public static string InvalidUtf8(DecoderFallbackException e) =>
        $"invalid UTF-8{(e.BytesUnknown is { Length: > 0 } unknown ? $" ({string.Join(' ', unknown.Select(b => $"0x{b:X2}"))})" : "")}";

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
        var ids = new IdRegister();
        await foreach (var (lineNumber, text) in ReadLinesAsync(path, cancellationToken: cancellationToken))
        {
            var location = new SourceLocation(path, lineNumber);
            if (parse(text, location) is { } record && ids.Add(idOf(record), location, problems))
            {
                yield return (record, location);
            }
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
