using System.Buffers;
using System.Text;
using System.Text.Json;

namespace PlanAct.IO;

/// <summary>
/// An output JSONL file that survives a crash at any instant: records are appended one whole line at a time; on
/// reopening, a torn last line is cut off and the ids already written are known, so a re-run appends only what is
/// missing. When a run is complete the file is rewritten atomically in input order, so an interrupted and resumed run
/// ends byte-for-byte like an uninterrupted one.
/// </summary>
internal sealed class ResumableJsonl : IAsyncDisposable
{
    private readonly FileStream _stream;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly HashSet<string> _done;
    private readonly WriterLock _writer;

    private ResumableJsonl(string path, FileStream stream, HashSet<string> done, WriterLock writer)
    {
        Path = path;
        _stream = stream;
        _done = done;
        _writer = writer;
    }

    public string Path { get; }

    /// <summary>Ids of the records in the file.</summary>
    public IReadOnlySet<string> Done => _done;

    /// <summary>
    /// Opens (or creates) the output, reading every line an earlier run wrote through <paramref name="readRecord"/>, which
    /// gives the line's id or throws an <see cref="InputException"/> when the line is not a record of the output's kind
    /// (for this input). One such line means the file is not this output: it is refused and left exactly as it is.
    /// </summary>
    /// <param name="path">The output file.</param>
    /// <param name="readRecord">Reads one line (text and location): its record's id.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <exception cref="WriterLockedException">Another process writes the file.</exception>
    /// <exception cref="ForeignOutputException">A line is not a record of the output's kind; nothing was changed.</exception>
    public static async Task<ResumableJsonl> OpenAsync(
        string path, Func<string, SourceLocation, string> readRecord, CancellationToken cancellationToken = default)
    {
        var full = System.IO.Path.GetFullPath(path);
        var writer = WriterLock.Acquire(full);
        FileStream stream;
        try
        {
            stream = new FileStream(full, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
        }
        catch
        {
            writer.Dispose();
            throw;
        }

        try
        {
            var done = new HashSet<string>(StringComparer.Ordinal);
            var end = 0L;
            var lastLine = 0;
            await foreach (var (line, start, length, number) in ByteLines.ReadAsync(stream, includeTail: false, cancellationToken))
            {
                var location = new SourceLocation(path, number);
                if (!done.Add(Record(line, location, readRecord)))
                {
                    throw new ForeignOutputException(location, "a second record of the same item");
                }

                end = start + length + 1;
                lastLine = number;
            }

            await CheckTornTailAsync(stream, end, new SourceLocation(path, lastLine + 1), readRecord, cancellationToken);

            // Whatever follows the last newline is a line torn by a crash: its item is simply done again.
            stream.SetLength(end);
            stream.Position = end;
            return new ResumableJsonl(full, stream, done, writer);
        }
        catch
        {
            await stream.DisposeAsync();
            writer.Dispose();
            throw;
        }
    }

    /// <summary>The id of one line, read by <paramref name="readRecord"/>; a line that is not such a record makes the file foreign.</summary>
    private static string Record(ReadOnlyMemory<byte> line, SourceLocation location, Func<string, SourceLocation, string> readRecord)
    {
        string text;
        try
        {
            text = JsonlFile.StrictUtf8.GetString(line.Span);
        }
        catch (DecoderFallbackException e)
        {
            throw new ForeignOutputException(location, JsonlFile.InvalidUtf8(e), e);
        }

        try
        {
            return readRecord(text, location);
        }
        catch (InputException e)
        {
            throw new ForeignOutputException(location, e.Reason, e);
        }
    }

    /// <summary>
    /// Text after the last newline is cut as a line torn by a crash only if it can be one: the start of a JSON object
    /// that does not parse, or a whole record of the output's kind (written without its newline).
    /// </summary>
    private static async Task CheckTornTailAsync(
        FileStream stream, long end, SourceLocation location, Func<string, SourceLocation, string> readRecord, CancellationToken cancellationToken)
    {
        if (stream.Length == end)
        {
            return;
        }

        var tail = new byte[stream.Length - end];
        stream.Position = end;
        await stream.ReadExactlyAsync(tail, cancellationToken);
        if (IsCompleteJson(tail))
        {
            Record(tail, location, readRecord);
        }
        else if (tail[0] != (byte)'{' && tail.Any(b => b is not ((byte)' ' or (byte)'\t' or (byte)'\r')))
        {
            throw new ForeignOutputException(location, "not a record (nor the start of one torn by a crash)");
        }
    }

    private static bool IsCompleteJson(ReadOnlySpan<byte> text)
    {
        try
        {
            var reader = new Utf8JsonReader(text);
            if (!reader.Read())
            {
                return false;
            }

            reader.Skip();
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Appends one record (a single JSON line) and hands it to the operating system before returning.</summary>
    public async Task AppendAsync(string id, string json, CancellationToken cancellationToken = default)
    {
        // Records hold pages: encoded into a pooled buffer, not a string with its newline and then an array.
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(json.Length) + 1);
        try
        {
            var length = Encoding.UTF8.GetBytes(json, bytes);
            bytes[length++] = (byte)'\n';
            await _gate.WaitAsync(cancellationToken);
            try
            {
                if (!_done.Add(id))
                {
                    throw new InvalidOperationException($"{Path}: record {id} is already written");
                }

                await _stream.WriteAsync(bytes.AsMemory(0, length), CancellationToken.None);
                await _stream.FlushAsync(CancellationToken.None);
            }
            finally
            {
                _gate.Release();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>
    /// Rewrites the file with the records of <paramref name="order"/> in that order; records of other ids are left
    /// out and their count returned.
    /// </summary>
    public async Task<int> FinishAsync(IReadOnlyList<string> order, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var where = new Dictionary<string, (long Start, int Length)>(StringComparer.Ordinal);
            _stream.Position = 0;
            await foreach (var (line, start, length, number) in ByteLines.ReadAsync(_stream, includeTail: false, cancellationToken))
            {
                where[IdOf(line, new SourceLocation(Path, number))] = (start, length);
            }

            var buffer = new byte[1 << 16];
            await AtomicFile.WriteAsync(Path, async target =>
            {
                foreach (var id in order)
                {
                    if (!where.TryGetValue(id, out var range))
                    {
                        continue;
                    }

                    if (buffer.Length < range.Length + 1)
                    {
                        buffer = new byte[range.Length + 1];
                    }

                    _stream.Position = range.Start;
                    await _stream.ReadExactlyAsync(buffer.AsMemory(0, range.Length), cancellationToken);
                    buffer[range.Length] = (byte)'\n';
                    await target.WriteAsync(buffer.AsMemory(0, range.Length + 1), cancellationToken);
                }
            }, cancellationToken);
            _stream.Position = _stream.Length;
            var kept = order.Count(where.ContainsKey);
            return where.Count - kept;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The <c>id</c> of a record line, read without parsing the rest.</summary>
    internal static string IdOf(ReadOnlyMemory<byte> line, SourceLocation location)
    {
        try
        {
            var reader = new Utf8JsonReader(line.Span);
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isId = reader.ValueTextEquals("id"u8);
                    reader.Read();
                    if (isId && reader.TokenType == JsonTokenType.String)
                    {
                        return reader.GetString()!;
                    }

                    reader.Skip();
                }
            }
        }
        catch (JsonException e)
        {
            throw new InputException(location, $"not a record written by planact: {JsonErrors.Reason(e)}", e);
        }

        throw new InputException(location, "not a record written by planact: no \"id\"");
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _gate.Dispose();
        _writer.Dispose();
    }
}
