using System.Runtime.CompilerServices;
using System.Text.Json;
using PlanAct.IO;

namespace PlanAct.Teacher.Batch;

/// <summary>A written Batch API input file: its path, the ledger keys (custom ids) in line order, and its size.</summary>
internal sealed record BatchRequestFile(string Path, string Model, IReadOnlyList<string> Keys, long Bytes);

/// <summary>
/// Writes Batch API input files (what <c>planact batch prepare</c> leaves for inspection and what a submission
/// uploads). One model per file, as the provider requires; a new file at the request or byte limit; requests
/// de-duplicated by key and in a stable order (model, stage, item, attempt, key) however the stages deferred them.
/// Each file is written whole or not at all.
/// </summary>
internal static class BatchRequestFiles
{
    public static async Task<IReadOnlyList<BatchRequestFile>> WriteAsync(
        IEnumerable<PendingRequest> requests, string directory, BatchSettings settings, string prefix = "requests", CancellationToken cancellationToken = default)
    {
        settings.Validate();
        var written = new List<BatchRequestFile>();
        foreach (var model in Order(requests).GroupBy(r => r.Model, StringComparer.Ordinal))
        {
            using var lines = model.Select(r => (r.Key, Bytes: BatchRequestLine.Serialize(r, settings.Endpoint))).GetEnumerator();
            var more = lines.MoveNext();
            while (more)
            {
                var path = Path.GetFullPath(Path.Combine(directory, $"{prefix}-{written.Count + 1:D4}.jsonl"));
                var keys = new List<string>();
                long bytes = 0;
                await AtomicFile.WriteAsync(path, async stream =>
                {
                    do
                    {
                        var (key, line) = lines.Current;
                        if (line.Length > settings.MaxBytesPerFile)
                        {
                            throw new InvalidOperationException($"request {key} alone is {line.Length} bytes, over the batch file limit of {settings.MaxBytesPerFile}");
                        }

                        if (keys.Count == settings.MaxRequestsPerFile || bytes + line.Length > settings.MaxBytesPerFile)
                        {
                            return;
                        }

                        await stream.WriteAsync(line, cancellationToken);
                        keys.Add(key);
                        bytes += line.Length;
                    }
                    while (more = lines.MoveNext());
                }, cancellationToken);
                written.Add(new BatchRequestFile(path, model.Key, keys, bytes));
            }
        }

        RemoveStale(directory, prefix, written);
        return written;
    }

    /// <summary>The custom ids of an input file with their line numbers.</summary>
    public static async IAsyncEnumerable<(int Line, string Key)> ReadKeysAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var (line, text) in JsonlFile.ReadLinesAsync(path, cancellationToken: cancellationToken))
        {
            string? key;
            try
            {
                using var doc = JsonDocument.Parse(text);
                key = doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("custom_id", out var id) ? id.GetString() : null;
            }
            catch (JsonException e)
            {
                throw new InputException(new SourceLocation(path, line), "malformed JSON in a batch request file", e);
            }

            yield return (line, key ?? throw new InputException(new SourceLocation(path, line), "a batch request line needs a custom_id"));
        }
    }

    private static IEnumerable<PendingRequest> Order(IEnumerable<PendingRequest> requests) =>
        requests
            .DistinctBy(r => r.Key, StringComparer.Ordinal)
            .OrderBy(r => r.Model, StringComparer.Ordinal)
            .ThenBy(r => r.Request.Stage, StringComparer.Ordinal)
            .ThenBy(r => r.Request.Item, StringComparer.Ordinal)
            .ThenBy(r => r.Request.Attempt)
            .ThenBy(r => r.Key, StringComparer.Ordinal);

    /// <summary>Files of an earlier, larger write with the same prefix would be mistaken for part of this one.</summary>
    private static void RemoveStale(string directory, string prefix, List<BatchRequestFile> written)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }

        var current = written.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(directory, $"{prefix}-*.jsonl"))
        {
            if (!current.Contains(Path.GetFullPath(file)))
            {
                File.Delete(file);
            }
        }
    }
}
