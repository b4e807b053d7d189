using System.Diagnostics;
using System.Globalization;
using PlanAct.Stages;
using Spectre.Console;

namespace PlanAct.Cli.Commands;

/// <summary>
/// Shows a stage's progress on stderr: a live Spectre.Console bar on a terminal, plain periodic lines otherwise
/// (logs, CI), so stdout stays for results.
/// </summary>
internal static class ProgressView
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);

    public static Task<T> RunAsync<T>(string stage, Func<IProgress<StageProgress>, Task<T>> body) => RunAsync([stage], body);

    /// <summary>One display for several stages (a pipeline, whose stages may run at the same time): a bar per stage, or plain lines naming the stage.</summary>
    public static async Task<T> RunAsync<T>(IReadOnlyList<string> stages, Func<IProgress<StageProgress>, Task<T>> body)
    {
        if (!CliConsole.Current.ErrorIsTerminal)
        {
            var last = Stopwatch.StartNew();
            var gate = new Lock();
            var latest = new Dictionary<string, StageProgress>(StringComparer.Ordinal);
            var moved = new Dictionary<string, StageProgress>(StringComparer.Ordinal);
            var rank = stages.Select((stage, i) => (stage, i)).ToDictionary(p => p.stage, p => p.i, StringComparer.Ordinal);
            var plain = new SynchronousProgress<StageProgress>(p =>
            {
                lock (gate)
                {
                    latest[p.Stage] = p;
                    moved[p.Stage] = p;
                    if (last.Elapsed >= PlainInterval)
                    {
                        // Stages run at the same time: a line for each that moved since the last lines, in pipeline order.
                        last.Restart();
                        foreach (var progress in moved.Values.OrderBy(m => rank.GetValueOrDefault(m.Stage, -1)))
                        {
                            CliConsole.Current.Error.WriteLine($"planact: {Describe(progress)}");
                        }

                        moved.Clear();
                    }
                }
            });
            var result = await body(plain);
            foreach (var stage in stages.Where(latest.ContainsKey))
            {
                CliConsole.Current.Error.WriteLine($"planact: {Describe(latest[stage])}");
            }

            return result;
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(CliConsole.Current.Error) });
        return await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                // A bar per stage, started at the stage's first report: stages wait for the ones they need, then run side by side.
                var tasks = stages.ToDictionary(s => s, s => context.AddTask(Markup.Escape(s), autoStart: false, maxValue: 1), StringComparer.Ordinal);
                var live = new SynchronousProgress<StageProgress>(p =>
                {
                    if (tasks.TryGetValue(p.Stage, out var task))
                    {
                        if (!task.IsStarted)
                        {
                            task.StartTask();
                        }

                        task.MaxValue = Math.Max(1, p.Total);
                        task.Value = p.Finished;
                        task.Description = Markup.Escape(Describe(p));
                    }
                });
                var result = await body(live);
                foreach (var task in tasks.Values)
                {
                    task.StopTask();
                }

                return result;
            });
    }

    /// <summary>done/total, rate, tokens, cost so far and ETA in one line.</summary>
    public static string Describe(StageProgress p)
    {
        var text = string.Create(
            CultureInfo.InvariantCulture,
            $"{p.Stage} {p.Finished}/{p.Total} (ok {p.Ok}, resumed {p.AlreadyDone}, quarantined {p.Quarantined}, skipped {p.Skipped}");
        if (p.Waiting > 0)
        {
            text += string.Create(CultureInfo.InvariantCulture, $", waiting {p.Waiting}");
        }

        text += string.Create(
            CultureInfo.InvariantCulture,
            $"), {p.Rate:0.0}/s, {p.Sent} sent, {p.Reused} from ledger, {p.Tokens:N0} tokens, ${p.Dollars:0.0000}");
        if (p.Remaining is { } eta)
        {
            text += $", ETA {eta:hh\\:mm\\:ss}";
        }

        return p.Phase is null ? text : $"{text} · {p.Phase}";
    }

}
