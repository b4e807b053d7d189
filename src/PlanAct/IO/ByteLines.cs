using System.Runtime.CompilerServices;

namespace PlanAct.IO;

/// <summary>The lines of a stream as bytes, split at <c>\n</c> only, so that each can be decoded (and its errors located) on its own.</summary>
internal static class ByteLines
{
    /// <summary>
    /// The non-empty lines from the stream's position, with their byte offsets and 1-based numbers. The memory of a
    /// line is valid until the next one is read.
    /// </summary>
    /// <param name="stream">The stream, read from its position.</param>
    /// <param name="includeTail">Whether text after the last newline is a line too (else it is a torn tail, not yielded).</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    public static async IAsyncEnumerable<(ReadOnlyMemory<byte> Line, long Start, int Length, int Number)> ReadAsync(
        Stream stream, bool includeTail, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pending = new MemoryStream();
        var buffer = new byte[1 << 16];
        var lineStart = stream.Position;
        var offset = stream.Position;
        var number = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            var chunk = buffer.AsMemory(0, read);
            int newline;
            while ((newline = chunk.Span.IndexOf((byte)'\n')) >= 0)
            {
                pending.Write(chunk.Span[..newline]);
                var length = (int)pending.Length;
                number++;
                if (length > 0)
                {
                    yield return (pending.GetBuffer().AsMemory(0, length), lineStart, length, number);
                }

                offset += newline + 1;
                lineStart = offset;
                pending.SetLength(0);
                chunk = chunk[(newline + 1)..];
            }

            pending.Write(chunk.Span);
            offset += chunk.Length;
        }

        if (includeTail && pending.Length > 0)
        {
            yield return (pending.GetBuffer().AsMemory(0, (int)pending.Length), lineStart, (int)pending.Length, number + 1);
        }
    }
}
