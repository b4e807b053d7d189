using System.Runtime.CompilerServices;
using PlanAct.IO;

namespace PlanAct.Viewing;

/// <summary>A non-blank line of a JSONL file and where its bytes are (a byte order mark and <c>\r</c> included), so it can be read again by seeking.</summary>
internal sealed record LocatedLine(int Line, long Offset, int Length, string Text);

/// <summary>
/// JSONL lines with their byte offsets: one streaming pass that never holds more than the line being read, and a read of
/// one line by seeking to it, both decoded as <see cref="JsonlFile.ReadLinesAsync"/> decodes (invalid UTF-8 is an error at its line).
/// </summary>
internal static class JsonlLines
{
    /// <exception cref="InputException">The file does not exist, or a line is not UTF-8.</exception>
    public static async IAsyncEnumerable<LocatedLine> ScanAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path))
        {
            throw new InputException(new SourceLocation(path), "no such file");
        }

        // Shared for writing: a stage may still be appending to what is browsed.
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await foreach (var (bytes, start, length, number) in ByteLines.ReadAsync(stream, includeTail: true, cancellationToken))
        {
            var text = JsonlFile.Decode(bytes.Span, start == 0, replaceInvalidUtf8: false, new SourceLocation(path, number));
            if (!string.IsNullOrWhiteSpace(text))
            {
                yield return new LocatedLine(number, start, length, text);
            }
        }
    }

    /// <summary>The text of line <paramref name="line"/>, <paramref name="length"/> bytes at <paramref name="offset"/>, read by seeking.</summary>
    public static async Task<string> ReadAsync(string path, int line, long offset, int length, CancellationToken cancellationToken = default)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.Asynchronous | FileOptions.RandomAccess);
        stream.Seek(offset, SeekOrigin.Begin);
        var bytes = new byte[length];
        await stream.ReadExactlyAsync(bytes, cancellationToken);
        return JsonlFile.Decode(bytes, offset == 0, replaceInvalidUtf8: false, new SourceLocation(path, line));
    }
}
