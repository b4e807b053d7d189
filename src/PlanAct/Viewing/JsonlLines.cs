using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using PlanAct.IO;

namespace PlanAct.Viewing;

/// <summary>A non-blank line of a JSONL file and where its bytes are, so it can be read again by seeking.</summary>
internal sealed record LocatedLine(int Line, long Offset, int Length, string Text);

/// <summary>
/// JSONL lines with their byte offsets: one streaming pass that never holds more than the line being read, and a read of
/// one line by seeking to it. Line numbers count every line (blank ones too), as <see cref="JsonlFile.ReadLinesAsync"/> does.
/// </summary>
internal static class JsonlLines
{
    private const int BufferSize = 1 << 16;
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    /// <summary>Streams the non-blank lines of <paramref name="path"/> with their offsets; the UTF-8 byte order mark and a line's <c>\r</c> are not part of it.</summary>
    /// <exception cref="InputException">The file does not exist.</exception>
    public static async IAsyncEnumerable<LocatedLine> ScanAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path))
        {
            throw new InputException(new SourceLocation(path), "no such file");
        }

        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var buffer = new byte[BufferSize];
        var pending = new ArrayBufferWriter<byte>();
        long position = 0;
        long lineStart = 0;
        var lineNumber = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            var chunk = buffer.AsMemory(0, read);
            while (!chunk.IsEmpty)
            {
                var newline = chunk.Span.IndexOf((byte)'\n');
                if (newline < 0)
                {
                    pending.Write(chunk.Span);
                    position += chunk.Length;
                    break;
                }

                pending.Write(chunk.Span[..newline]);
                position += newline + 1;
                chunk = chunk[(newline + 1)..];
                lineNumber++;
                if (Located(lineNumber, lineStart, pending.WrittenSpan) is { } line)
                {
                    yield return line;
                }

                pending.Clear();
                lineStart = position;
            }
        }

        if (pending.WrittenCount > 0 && Located(lineNumber + 1, lineStart, pending.WrittenSpan) is { } last)
        {
            yield return last;
        }
    }

    /// <summary>The text of the line at <paramref name="offset"/>, <paramref name="length"/> bytes long, read by seeking.</summary>
    public static async Task<string> ReadAsync(string path, long offset, int length, CancellationToken cancellationToken = default)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.Asynchronous | FileOptions.RandomAccess);
        stream.Seek(offset, SeekOrigin.Begin);
        var bytes = new byte[length];
        await stream.ReadExactlyAsync(bytes, cancellationToken);
        return Encoding.UTF8.GetString(bytes);
    }

    private static LocatedLine? Located(int lineNumber, long offset, ReadOnlySpan<byte> bytes)
    {
        if (offset == 0 && bytes.StartsWith(Bom))
        {
            bytes = bytes[Bom.Length..];
            offset = Bom.Length;
        }

        if (bytes.EndsWith((byte)'\r'))
        {
            bytes = bytes[..^1];
        }

        var text = Encoding.UTF8.GetString(bytes);
        return string.IsNullOrWhiteSpace(text) ? null : new LocatedLine(lineNumber, offset, bytes.Length, text);
    }
}
