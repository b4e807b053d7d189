using System.Runtime.CompilerServices;
using PlanAct.IO;

namespace PlanAct.Training;

/// <summary>
/// Several record files as one stream of examples, interleaved deterministically (the planner mix: grounded, synthetic
/// and targeted plans in one file). Each file's records are counted first (one streaming pass); then every next example
/// comes from a file drawn with a seeded generator in proportion to the records it has left, so the files are spread
/// through the whole stream in their own order, and the same files and seed give the same stream. A file whose records
/// make more than one example (replans) keeps a weight of one once its count is spent, until it is empty.
/// </summary>
internal static class TrainingMix
{
    /// <summary>The examples of <paramref name="paths"/> interleaved by <paramref name="seed"/> (one path: its examples as they are).</summary>
    public static async IAsyncEnumerable<TrainingExample> ReadAsync(
        IReadOnlyList<string> paths, int seed, ExampleBuilders builders, ProblemLog problems, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (paths.Count == 1)
        {
            await foreach (var example in TrainingRecords.ReadAsync(paths[0], builders, problems, cancellationToken))
            {
                yield return example;
            }

            yield break;
        }

        var left = new long[paths.Count];
        for (var i = 0; i < paths.Count; i++)
        {
            left[i] = await CountRecordsAsync(paths[i], cancellationToken);
        }

        var sources = new IAsyncEnumerator<TrainingExample>?[paths.Count];
        long Weight(int source) => sources[source] is null ? 0 : Math.Max(1, left[source]);
        try
        {
            for (var i = 0; i < paths.Count; i++)
            {
                sources[i] = TrainingRecords.ReadAsync(paths[i], builders, problems, cancellationToken).GetAsyncEnumerator(cancellationToken);
            }

            var random = new Random(seed);
            while (true)
            {
                var total = 0L;
                for (var i = 0; i < sources.Length; i++)
                {
                    total += Weight(i);
                }

                if (total == 0)
                {
                    yield break;
                }

                var draw = random.NextInt64(total);
                var pick = 0;
                while (draw >= Weight(pick))
                {
                    draw -= Weight(pick++);
                }

                if (await sources[pick]!.MoveNextAsync())
                {
                    left[pick] = Math.Max(0, left[pick] - 1);
                    yield return sources[pick]!.Current;
                }
                else
                {
                    await sources[pick]!.DisposeAsync();
                    sources[pick] = null;
                }
            }
        }
        finally
        {
            foreach (var source in sources.OfType<IAsyncEnumerator<TrainingExample>>())
            {
                await source.DisposeAsync();
            }
        }
    }

    /// <summary>The non-blank lines of a file: its records, counted without parsing them.</summary>
    private static async Task<long> CountRecordsAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new InputException(new SourceLocation(path), "no such file");
        }

        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var count = 0L;
        await foreach (var (bytes, _, _, _) in ByteLines.ReadAsync(stream, includeTail: true, cancellationToken))
        {
            count += bytes.Span.IndexOfAnyExcept(" \t\r\n"u8) >= 0 ? 1 : 0;
        }

        return count;
    }
}
