using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace PlanAct.IO;

/// <summary>Streams the elements of a file holding one JSON array, so a 10 GB array never sits in memory.</summary>
internal static class JsonArrayFile
{
    /// <summary>
    /// Yields each element with its index. Malformed JSON stops the read with an <see cref="InputException"/> at the
    /// line and element where it was found, worded "<paramref name="what"/>: …".
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="type">How to read one element.</param>
    /// <param name="what">What the file should be, e.g. "not a valid WebArena-Lite SFT JSON array".</param>
    /// <param name="replaceInvalidUtf8">Whether bytes that are not UTF-8 are read as U+FFFD instead of stopping the read.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    public static async IAsyncEnumerable<(int Index, T? Element)> ReadAsync<T>(
        string path, JsonTypeInfo<T> type, string what, bool replaceInvalidUtf8 = false, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);

        // Decoding with the replacing UTF-8 decoder and encoding again leaves valid UTF-8 as it is.
        await using var stream = replaceInvalidUtf8 ? Encoding.CreateTranscodingStream(file, Encoding.UTF8, Encoding.UTF8) : file;
        await using var enumerator = JsonSerializer.DeserializeAsyncEnumerable(stream, type, cancellationToken).GetAsyncEnumerator(cancellationToken);
        for (var index = 0; ; index++)
        {
            try
            {
                if (!await enumerator.MoveNextAsync())
                {
                    yield break;
                }
            }
            catch (JsonException e)
            {
                var line = e.LineNumber is { } l ? (int)l + 1 : (int?)null;
                throw new InputException(new SourceLocation(path, line, index), $"{what}: {JsonErrors.Reason(e)}", e);
            }

            yield return (index, enumerator.Current);
        }
    }
}
