using System.Runtime.CompilerServices;
using System.Text;

namespace PlanAct.IO;

public static class JsonlFile
{
    /// <summary>Streams the non-blank lines of a file with their 1-based line numbers.</summary>
    public static async IAsyncEnumerable<(int Line, string Text)> ReadLinesAsync(
        string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
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
}
