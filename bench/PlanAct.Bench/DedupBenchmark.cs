using System.Globalization;
using PlanAct.IO;
using PlanAct.Text;
using static System.FormattableString;

namespace PlanAct.Bench;

/// <summary>Options of the <c>dedup</c> benchmark.</summary>
internal sealed record DedupOptions(IReadOnlyList<int> Sizes, double Threshold, int NaiveUpTo)
{
    public static DedupOptions Parse(IReadOnlyList<string> args)
    {
        IReadOnlyList<int> sizes = [1_000, 10_000, 100_000];
        var threshold = NearDuplicateIndex.DefaultThreshold;
        var naive = 10_000;
        foreach (var (option, value) in CommandLine.Pairs(args))
        {
            switch (option)
            {
                case "--sizes":
                    sizes = [.. value.Split(',').Select(v => CommandLine.Positive(option, v))];
                    break;
                case "--threshold":
                    threshold = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var t) && t is > 0 and <= 1
                        ? t
                        : throw new ArgumentException($"--threshold expects a number in (0, 1], got \"{value}\"");
                    break;
                case "--naive-up-to":
                    naive = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                        ? n
                        : throw new ArgumentException($"--naive-up-to expects a whole number, got \"{value}\"");
                    break;
                default:
                    throw new ArgumentException($"unknown option \"{option}\"");
            }
        }

        return new DedupOptions(sizes, threshold, naive);
    }
}

/// <summary>One measured filtering run, as the child process reports it.</summary>
internal sealed record DedupResult(
    string Method,
    int Queries,
    int Kept,
    double Seconds,
    long PeakWorkingSetBytes,
    long PeakGcHeapBytes,
    long AllocatedBytes,
    long DecisionsHash);

/// <summary>
/// Near-duplicate filtering as expand does it: each query in turn is kept unless its ROUGE-L F with a query kept
/// before reaches the threshold. The queries are WebArena-Lite task intents (the real 1,123 of
/// <c>samples/webarena-lite-tasks.json</c>) with about a third of their words swapped for other words of those intents,
/// so many are near-duplicates of each other, as generated queries are. Each size runs in its own child process,
/// with the index and, up to <see cref="DedupOptions.NaiveUpTo"/>, with the naive comparison against every kept
/// query; both must make the same decisions.
/// </summary>
internal static class DedupBenchmark
{
    public const string Command = "dedup-measure";

    public static async Task<int> RunAsync(DedupOptions options)
    {
        Console.WriteLine($"machine: {Machine.Describe()}");
        Console.WriteLine(Invariant($"threshold: {options.Threshold}"));
        var results = new List<DedupResult>();
        foreach (var size in options.Sizes)
        {
            foreach (var method in size <= options.NaiveUpTo ? new[] { "index", "naive" } : ["index"])
            {
                var result = await MeasureInChildAsync(method, size, options.Threshold);
                Console.WriteLine(Invariant($"{method} {size}: {result.Seconds:F2} s, kept {result.Kept}"));
                results.Add(result);
            }

            if (results.Where(r => r.Queries == size).Select(r => r.DecisionsHash).Distinct().Count() > 1)
            {
                throw new InvalidOperationException($"the index and the naive comparison disagree at {size} queries");
            }
        }

        Console.WriteLine();
        Console.WriteLine("| Method | Queries | Kept | Wall s | Queries/s | Peak working set MB | Peak GC heap MB | Allocated MB |");
        Console.WriteLine("|---|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var r in results)
        {
            Console.WriteLine(Invariant(
                $"| {r.Method} | {r.Queries:N0} | {r.Kept:N0} | {r.Seconds:F2} | {r.Queries / r.Seconds:N0} | {Units.ToMiB(r.PeakWorkingSetBytes):F0} | {Units.ToMiB(r.PeakGcHeapBytes):F0} | {Units.ToMiB(r.AllocatedBytes):F0} |"));
        }

        return 0;
    }

    private static Task<DedupResult> MeasureInChildAsync(string method, int size, double threshold) =>
        ChildProcess.MeasureAsync(
            [Command, method, size.ToString(CultureInfo.InvariantCulture), threshold.ToString(CultureInfo.InvariantCulture)],
            BenchJsonContext.Default.DedupResult,
            $"the {method} measurement at {size}");

    /// <summary>The child side: <c>dedup-measure index|naive SIZE THRESHOLD</c>; prints one result line.</summary>
    public static async Task<int> RunChildAsync(IReadOnlyList<string> args)
    {
        if (args is not [var method and ("index" or "naive"), var sizeText, var thresholdText])
        {
            throw new ArgumentException($"usage: {Command} index|naive SIZE THRESHOLD");
        }

        var queries = await QueriesAsync(int.Parse(sizeText, CultureInfo.InvariantCulture));
        var threshold = double.Parse(thresholdText, CultureInfo.InvariantCulture);
        using var span = MeasuredSpan.Start();
        var (kept, decisions) = method == "index" ? FilterWithIndex(queries, threshold) : FilterNaively(queries, threshold);
        var used = span.Stop();
        var result = new DedupResult(method, queries.Count, kept, used.Seconds, used.PeakWorkingSet, used.PeakHeapBytes, used.AllocatedBytes, decisions);
        ChildProcess.Report(result, BenchJsonContext.Default.DedupResult);
        return 0;
    }

    private static (int Kept, long Decisions) FilterWithIndex(IReadOnlyList<string> queries, double threshold)
    {
        var index = new NearDuplicateIndex(threshold);
        var decisions = new Decisions();
        foreach (var query in queries)
        {
            var duplicate = index.FindNearest(query) is not null;
            decisions.Add(duplicate);
            if (!duplicate)
            {
                index.Add(query);
            }
        }

        return (index.Count, decisions.Hash);
    }

    /// <summary>The baseline: every kept query compared in turn, on word ids, with the same LCS.</summary>
    private static (int Kept, long Decisions) FilterNaively(IReadOnlyList<string> queries, double threshold)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var kept = new List<int[]>();
        var decisions = new Decisions();
        foreach (var query in queries)
        {
            int[] words = [.. QueryText.Tokenize(query).Select(w => ids.TryGetValue(w, out var id) ? id : ids[w] = ids.Count)];
            var duplicate = words.Length > 0 && kept.Any(k => RougeL.FMeasure(RougeL.LongestCommonSubsequence(k, words), k.Length, words.Length) >= threshold);
            decisions.Add(duplicate);
            if (!duplicate)
            {
                kept.Add(words);
            }
        }

        return (kept.Count, decisions.Hash);
    }

    /// <summary>A hash of the sequence of keep/drop decisions, the same in every process (FNV-1a).</summary>
    private sealed class Decisions
    {
        public long Hash { get; private set; } = unchecked((long)14695981039346656037);

        public void Add(bool duplicate) => Hash = unchecked((Hash ^ (duplicate ? 1 : 2)) * 1099511628211);
    }

    /// <summary>Real intents with about a third of their words swapped, from a fixed random seed.</summary>
    private static async Task<List<string>> QueriesAsync(int count)
    {
        var path = Path.Combine(RepositoryRoot.Find(), "samples", "webarena-lite-tasks.json");
        var intents = await QueryListReader.ReadAsync(path, new ProblemLog()).Select(e => e.Query.Split(' ')).ToListAsync();
        var vocabulary = intents.SelectMany(w => w).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var random = new Random(2025);
        var queries = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var words = (string[])intents[random.Next(intents.Count)].Clone();
            for (var w = 0; w < words.Length; w++)
            {
                if (random.NextDouble() < 0.35)
                {
                    words[w] = vocabulary[random.Next(vocabulary.Length)];
                }
            }

            queries.Add(string.Join(' ', words));
        }

        return queries;
    }
}
