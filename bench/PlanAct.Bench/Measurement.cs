using PlanAct.Html;
using PlanAct.Text;
using PlanAct.Trajectories;

namespace PlanAct.Bench;

internal enum Workload
{
    /// <summary>(a) read and group into trajectories.</summary>
    Read,

    /// <summary>(b) read, group, render the planner and executor views and count o200k tokens of the page and both views.</summary>
    Clean,
}

/// <summary>One measured run, as the child process reports it.</summary>
internal sealed record MeasurementResult(
    string Format,
    Workload Workload,
    long InputBytes,
    int Trajectories,
    int Steps,
    double Seconds,
    long PeakWorkingSetBytes,
    long PeakGcHeapBytes,
    long AllocatedBytes,
    long RawTokens,
    long PlannerTokens,
    long ExecutorTokens)
{
    public double MiBPerSecond => Units.ToMiB(InputBytes) / Seconds;

    public double StepsPerSecond => Steps / Seconds;
}

/// <summary>Runs one workload over one file in a fresh child process, so its peak memory is its own.</summary>
internal static class Measurement
{
    public const string Command = "measure";

    public static Task<MeasurementResult> RunInChildAsync(string file, Workload workload, CancellationToken cancellationToken) =>
        ChildProcess.MeasureAsync(
            [Command, workload.ToString().ToLowerInvariant(), file], BenchJsonContext.Default.MeasurementResult, $"the {workload} measurement of {file}", cancellationToken);

    /// <summary>The child side: <c>measure read|clean FILE</c>; prints one result line.</summary>
    public static async Task<int> RunChildAsync(IReadOnlyList<string> args)
    {
        if (args is not [var name, var file] || !Enum.TryParse<Workload>(name, ignoreCase: true, out var workload))
        {
            throw new ArgumentException($"usage: {Command} read|clean FILE");
        }

        var result = await MeasureAsync(file, workload, CancellationToken.None);
        ChildProcess.Report(result, BenchJsonContext.Default.MeasurementResult);
        return 0;
    }

    private static async Task<MeasurementResult> MeasureAsync(string file, Workload workload, CancellationToken cancellationToken)
    {
        // Load the tokenizer's vocabulary before the clock starts: a one-off cost, not a per-page one.
        var counter = workload == Workload.Clean ? TokenCounter.O200k : null;
        using var span = MeasuredSpan.Start();
        int trajectories = 0, steps = 0;
        long raw = 0, planner = 0, executor = 0;
        await foreach (var trajectory in TrajectoryFiles.ReadAsync(file, new TrajectoryReadOptions(), cancellationToken))
        {
            trajectories++;
            steps += trajectory.Steps.Count;
            if (counter is null)
            {
                continue;
            }

            foreach (var step in trajectory.Steps)
            {
                raw += counter.Count(step.Html);
                var views = PageView.RenderViews(step.Html, PageView.Planner, PageView.Executor);
                planner += counter.Count(views[0]);
                executor += counter.Count(views[1]);
            }
        }

        var used = span.Stop();
        return new MeasurementResult(
            TrajectoryFiles.DetectFormat(file).ToString(),
            workload,
            new FileInfo(file).Length,
            trajectories,
            steps,
            used.Seconds,
            used.PeakWorkingSet,
            used.PeakHeapBytes,
            used.AllocatedBytes,
            raw,
            planner,
            executor);
    }
}
