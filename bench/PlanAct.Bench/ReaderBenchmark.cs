using System.Diagnostics;
using System.Text;
using static System.FormattableString;

namespace PlanAct.Bench;

/// <summary>
/// The <c>reader</c> benchmark: throughput and peak memory of reading a large SFT file and its JSONL twin,
/// (a) read + group over the whole file, (b) plus page views and token counts, on a prefix when the whole would take too long.
/// </summary>
internal static class ReaderBenchmark
{
    /// <summary>Trajectories in the two runs that estimate how long (b) takes over the whole file.</summary>
    private const int CalibrationSmall = 200;

    private const int CalibrationLarge = 1000;

    public static async Task<int> RunAsync(ReaderOptions options)
    {
        var cancellationToken = CancellationToken.None;
        Console.WriteLine($"Machine: {Machine.Describe()}");
        var samples = await SampleTrajectories.LoadAsync(RepositoryRoot.Find(), cancellationToken);
        var clock = Stopwatch.StartNew();
        var (dataset, generated) = await Dataset.EnsureAsync(options.WorkDirectory, options.SizeMb, samples, cancellationToken);
        var manifest = dataset.Manifest;
        Console.WriteLine(Invariant($"Data: {manifest.Trajectories:N0} trajectories, {manifest.Steps:N0} steps, replicated from {samples.Trajectories.Count} trajectories of {manifest.Source}"));
        Console.WriteLine(Invariant($"  {dataset.SftPath} ({Units.ToMiB(manifest.SftBytes):F1} MB), {dataset.JsonlPath} ({Units.ToMiB(manifest.JsonlBytes):F1} MB), ")
            + (generated ? Invariant($"generated in {clock.Elapsed.TotalSeconds:F1} s") : "cached"));

        var results = new List<MeasurementResult>();
        foreach (var file in new[] { dataset.SftPath, dataset.JsonlPath })
        {
            results.Add(await RunAsync(file, Workload.Read, cancellationToken));
        }

        var (clean, note) = await CleanDatasetAsync(dataset, options, cancellationToken);
        Console.WriteLine(note);
        foreach (var file in new[] { clean.SftPath, clean.JsonlPath })
        {
            results.Add(await RunAsync(file, Workload.Clean, cancellationToken));
        }

        Console.WriteLine();
        Console.WriteLine(Table(results, manifest.Trajectories));
        Console.WriteLine();
        Console.WriteLine(TokenTable(results.Where(r => r.Workload == Workload.Clean)));
        return 0;
    }

    private static async Task<MeasurementResult> RunAsync(string file, Workload workload, CancellationToken cancellationToken)
    {
        Console.Write($"  {workload} {Path.GetFileName(file)} ... ");
        var result = await Measurement.RunInChildAsync(file, workload, cancellationToken);
        Console.WriteLine(Invariant($"{result.Seconds:F1} s"));
        return result;
    }

    /// <summary>The data (b) runs on: all of it, the first N trajectories asked for, or as many as fit the time budget.</summary>
    /// <remarks>
    /// The estimate comes from two short runs, so the one-off costs of a fresh process (JIT, the tokenizer's caches)
    /// cancel out: the time per trajectory is the difference between them.
    /// </remarks>
    private static async Task<(Dataset Dataset, string Note)> CleanDatasetAsync(Dataset dataset, ReaderOptions options, CancellationToken cancellationToken)
    {
        var total = dataset.Manifest.Trajectories;
        if (options.CleanTrajectories is { } asked)
        {
            var n = asked == 0 ? total : Math.Min(asked, total);
            return (await dataset.PrefixAsync(n, cancellationToken), Invariant($"(b) runs on the first {n:N0} of {total:N0} trajectories (--clean-trajectories)."));
        }

        if (total <= CalibrationLarge)
        {
            return (dataset, "(b) runs on the whole file (small enough not to need an estimate).");
        }

        var small = await ProbeAsync(dataset, CalibrationSmall, cancellationToken);
        var large = await ProbeAsync(dataset, CalibrationLarge, cancellationToken);
        var marginal = (large.Seconds - small.Seconds) / (large.Trajectories - small.Trajectories);
        var perTrajectory = marginal > 0 ? marginal : large.Seconds / large.Trajectories;
        var estimate = large.Seconds + ((total - large.Trajectories) * perTrajectory);
        var measured = Invariant(
            $"calibration: (b) on the first {small.Trajectories:N0} and {large.Trajectories:N0} trajectories of SFT JSON took {small.Seconds:F1} s and {large.Seconds:F1} s, so the whole file would take about {estimate:F0} s");
        if (estimate <= options.CleanBudgetSeconds)
        {
            return (dataset, $"(b) runs on the whole file ({measured}, within the {options.CleanBudgetSeconds} s budget).");
        }

        var fitting = (int)Math.Clamp(large.Trajectories + ((options.CleanBudgetSeconds - large.Seconds) / perTrajectory), 1, total);
        return (await dataset.PrefixAsync(fitting, cancellationToken),
            Invariant($"(b) runs on the first {fitting:N0} of {total:N0} trajectories ({measured}, over the {options.CleanBudgetSeconds} s budget)."));
    }

    private static async Task<MeasurementResult> ProbeAsync(Dataset dataset, int trajectories, CancellationToken cancellationToken) =>
        await Measurement.RunInChildAsync((await dataset.PrefixAsync(trajectories, cancellationToken)).SftPath, Workload.Clean, cancellationToken);

    private static string Table(IEnumerable<MeasurementResult> results, int totalTrajectories)
    {
        var sb = new StringBuilder()
            .AppendLine("| Format | Measurement | Input MB | Trajectories | Steps | Wall s | MB/s | Steps/s | Peak working set MB | Peak GC heap MB | Allocated MB |")
            .AppendLine("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var r in results)
        {
            sb.AppendLine(Invariant(
                $"| {FormatName(r.Format)} | {WorkloadName(r.Workload)}{(r.Trajectories < totalTrajectories ? ", prefix" : "")} | {Units.ToMiB(r.InputBytes):F1} | {r.Trajectories:N0} | {r.Steps:N0} | {r.Seconds:F1} | {r.MiBPerSecond:F1} | {r.StepsPerSecond:N0} | {Units.ToMiB(r.PeakWorkingSetBytes):F0} | {Units.ToMiB(r.PeakGcHeapBytes):F0} | {Units.ToMiB(r.AllocatedBytes):N0} |"));
        }

        return sb.ToString().TrimEnd();
    }

    private static string TokenTable(IEnumerable<MeasurementResult> results)
    {
        var sb = new StringBuilder()
            .AppendLine("| Format | Pages | o200k tokens per page: raw | planner view | executor view |")
            .AppendLine("|---|--:|--:|--:|--:|");
        foreach (var r in results)
        {
            sb.AppendLine(Invariant(
                $"| {FormatName(r.Format)} | {r.Steps:N0} | {r.RawTokens / (double)r.Steps:N0} | {r.PlannerTokens / (double)r.Steps:N0} | {r.ExecutorTokens / (double)r.Steps:N0} |"));
        }

        return sb.ToString().TrimEnd();
    }

    private static string FormatName(string format) => format == "Sft" ? "SFT JSON" : "JSONL";

    private static string WorkloadName(Workload workload) => workload == Workload.Read ? "(a) read + group" : "(b) + views + tokens";
}
