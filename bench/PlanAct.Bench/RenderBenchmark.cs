using System.Diagnostics;
using System.Text;
using PlanAct.Html;
using static System.FormattableString;

namespace PlanAct.Bench;

/// <summary>Options of the <c>render</c> benchmark.</summary>
internal sealed record RenderOptions(int Runs, double SecondsPerRun)
{
    public static RenderOptions Parse(IReadOnlyList<string> args)
    {
        var runs = 7;
        var seconds = 1.0;
        foreach (var (option, value) in CommandLine.Pairs(args))
        {
            switch (option)
            {
                case "--runs":
                    runs = CommandLine.Positive(option, value);
                    break;
                case "--ms-per-run":
                    seconds = CommandLine.Positive(option, value) / 1000.0;
                    break;
                default:
                    throw new ArgumentException($"unknown option \"{option}\"");
            }
        }

        return new RenderOptions(runs, seconds);
    }
}

/// <summary>
/// Throughput of the reference-compatible page renderings (<see cref="ReferencePageView"/>) on the five real WebRL
/// start pages of <c>samples/pages/</c>: per view, several timed runs over all five pages, after untimed runs of
/// every view (the JIT's). Throughput counts the UTF-8 bytes of the input pages.
/// </summary>
internal static class RenderBenchmark
{
    private static readonly string[] PageNames = ["shopping", "shopping_admin", "reddit", "gitlab", "map"];

    public static Task<int> RunAsync(RenderOptions options)
    {
        var folder = Path.Combine(RepositoryRoot.Find(), "samples", "pages");
        var pages = PageNames.Select(name => File.ReadAllText(Path.Combine(folder, name + ".html"))).ToArray();
        var bytes = pages.Sum(p => (long)Encoding.UTF8.GetByteCount(p));

        // An element in the middle of each page for the snippet; 9999 is on none of them (the fallback's case).
        var targets = pages.Select(MiddleId).ToArray();
        var views = new (string Name, Func<int, string> Render)[]
        {
            ("planner", i => ReferencePageView.Planner(pages[i])),
            ("executor", i => ReferencePageView.Executor(pages[i], null)),
            ("earlier round, element on the page", i => ReferencePageView.EarlierRound(pages[i], targets[i])),
            ("earlier round, element 9999 (fallback)", i => ReferencePageView.EarlierRound(pages[i], "9999")),
        };

        Console.WriteLine(Machine.Describe());
        Console.WriteLine(Invariant($"{pages.Length} pages, {bytes:N0} bytes; {options.Runs} runs of about {options.SecondsPerRun * 1000:F0} ms per view"));
        Console.WriteLine();
        Console.WriteLine("| View | MB/s median | MB/s min | MB/s max | Pages/s median |");
        Console.WriteLine("|---|--:|--:|--:|--:|");
        // Untimed runs first, of every view and then of each before its timed runs: the JIT recompiles hot code in
        // the background for a while after the first calls, longer when the cores are busy.
        foreach (var (_, render) in views)
        {
            TimedRun(render, pages.Length, options.SecondsPerRun);
        }

        foreach (var (name, render) in views)
        {
            TimedRun(render, pages.Length, options.SecondsPerRun);
            var rates = new double[options.Runs];
            for (var run = 0; run < options.Runs; run++)
            {
                rates[run] = TimedRun(render, pages.Length, options.SecondsPerRun);
            }

            Array.Sort(rates);
            var median = rates[rates.Length / 2];
            Console.WriteLine(Invariant(
                $"| {name} | {median * bytes / pages.Length / Units.MiB:F1} | {rates[0] * bytes / pages.Length / Units.MiB:F1} | {rates[^1] * bytes / pages.Length / Units.MiB:F1} | {median:N0} |"));
        }

        return Task.FromResult(0);
    }

    /// <summary>Pages per second over passes through all pages until <paramref name="seconds"/> have gone by.</summary>
    private static double TimedRun(Func<int, string> render, int pageCount, double seconds)
    {
        var rendered = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            rendered += RenderAll(render, pageCount);
        }

        return rendered / watch.Elapsed.TotalSeconds;
    }

    private static int RenderAll(Func<int, string> render, int pageCount)
    {
        for (var i = 0; i < pageCount; i++)
        {
            _ = render(i);
        }

        return pageCount;
    }

    private static string MiddleId(string page)
    {
        var ids = new List<string>();
        for (var at = page.IndexOf(" id=\"", StringComparison.Ordinal); at >= 0; at = page.IndexOf(" id=\"", at + 1, StringComparison.Ordinal))
        {
            var end = page.IndexOf('"', at + 5);
            ids.Add(page[(at + 5)..end]);
        }

        return ids.Count == 0 ? "0" : ids[ids.Count / 2];
    }
}
