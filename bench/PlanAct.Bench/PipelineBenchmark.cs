using System.Diagnostics;
using System.Text;
using PlanAct.Pipeline;
using PlanAct.Stages;
using PlanAct.Teacher;
using PlanAct.Trajectories;
using static System.FormattableString;

namespace PlanAct.Bench;

/// <summary>Options of the <c>pipeline</c> benchmark.</summary>
public sealed record PipelineBenchOptions(int Copies, TimeSpan Delay, int Concurrency)
{
    public static PipelineBenchOptions Parse(IReadOnlyList<string> args)
    {
        var copies = 100;
        var delayMs = 200;
        var concurrency = 64;
        foreach (var (option, value) in CommandLine.Pairs(args))
        {
            switch (option)
            {
                case "--copies":
                    copies = CommandLine.Positive(option, value);
                    break;
                case "--delay-ms":
                    delayMs = CommandLine.Positive(option, value);
                    break;
                case "--concurrency":
                    concurrency = CommandLine.Positive(option, value);
                    break;
                default:
                    throw new ArgumentException($"unknown option \"{option}\"");
            }
        }

        return new PipelineBenchOptions(copies, TimeSpan.FromMilliseconds(delayMs), concurrency);
    }
}

/// <summary>
/// The <c>pipeline</c> benchmark: the bundled pipeline (annotate → act → export, the same YAML as samples/pipeline.yaml)
/// over the samples replicated N times, through <see cref="PipelineRunner"/> as <c>planact run</c> drives it, against a
/// loopback teacher in a child process that answers after a fixed delay. It reports the wall time against the ideal
/// (the teacher's delay at full concurrency, nothing else), each stage's time, requests/s, peak memory, and the time
/// of a second run that finds everything done.
/// </summary>
public static class PipelineBenchmark
{
    private const string Model = "gpt-4.1-mini";

    public static async Task<int> RunAsync(PipelineBenchOptions options)
    {
        var cancellationToken = CancellationToken.None;
        var root = RepositoryRoot.Find();
        Console.WriteLine($"Machine: {Machine.Describe()}");
        var samples = await SampleTrajectories.LoadAsync(root, cancellationToken);
        var items = samples.Trajectories.Count * options.Copies;
        var folder = Directory.CreateTempSubdirectory("planact-bench-pipeline-");
        try
        {
            var input = Path.Combine(folder.FullName, "trajectories.jsonl");
            await TrajectoryFiles.WriteAsync(input, TrajectoryFormat.Jsonl, Enumerable.Range(0, items).Select(samples.Copy).ToAsyncEnumerable(), cancellationToken);
            var pipeline = PipelineDefinition.Load(Path.Combine(root, PipelineDefinition.SamplesPath)) with
            {
                Inputs = new Dictionary<string, string> { ["trajectories"] = input },
                RunDir = Path.Combine(folder.FullName, "run"),
            };
            Console.WriteLine(Invariant($"Input: {items:N0} trajectories ({options.Copies} copies of the {samples.Trajectories.Count} of {samples.Source}), {Units.ToMiB(new FileInfo(input).Length):F1} MiB"));

            await using var server = await LoopbackServer.StartAsync(options.Delay, cancellationToken);
            Console.WriteLine(Invariant($"Loopback teacher: child process, every answer after {options.Delay.TotalMilliseconds:F0} ms; concurrency {options.Concurrency}"));
            var teacher = pipeline.ApplyTeacher(new TeacherOptions()) with
            {
                BaseUrl = server.BaseUrl,
                ApiKey = "bench",
                Model = Model,
                LedgerPath = Path.Combine(folder.FullName, "ledger.db"),
            };
            teacher = teacher with { Limits = teacher.Limits with { Concurrency = options.Concurrency } };

            using var heap = new GcHeapSampler();
            var first = await RunOnceAsync(pipeline, teacher, cancellationToken);
            var again = await RunOnceAsync(pipeline, teacher, cancellationToken);
            heap.Sample();
            using var self = Process.GetCurrentProcess();

            var sent = first.Sent;
            if (sent != items || first.Result.Stages.Any(s => s.Status != NodeStatus.Done) || again.Sent != 0)
            {
                throw new InvalidOperationException(Invariant($"expected {items} requests sent once and every stage done; got {sent} sent, then {again.Sent}"));
            }

            var ideal = TimeSpan.FromTicks((long)(Math.Ceiling(items / (double)options.Concurrency) * options.Delay.Ticks));
            var table = new StringBuilder()
                .AppendLine("| Run | Wall s | Ideal s | Share of ideal | Requests sent | Requests/s | annotate s | act s | export s |")
                .AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|");
            foreach (var (name, run) in new[] { ("first", first), ("again (all done)", again) })
            {
                string Seconds(string stage) => Invariant($"{run.Result.Stages.Single(s => s.Stage == stage).Seconds:F1}");
                var (idealText, share) = run.Sent > 0 ? (Invariant($"{ideal.TotalSeconds:F1}"), Invariant($"{ideal / run.Wall:P0}")) : ("–", "–");
                table.AppendLine(Invariant(
                    $"| {name} | {run.Wall.TotalSeconds:F1} | {idealText} | {share} | {run.Sent:N0} | {run.Sent / run.Wall.TotalSeconds:N1} | {Seconds("annotate")} | {Seconds("act")} | {Seconds("export")} |"));
            }

            Console.WriteLine();
            Console.WriteLine(table.ToString().TrimEnd());
            Console.WriteLine(Invariant($"Peak working set {Units.ToMiB(self.PeakWorkingSet64):F0} MiB, peak managed heap {Units.ToMiB(heap.PeakHeapBytes):F0} MiB (this process: pipeline and report; the loopback teacher runs apart)"));
            return 0;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task<(PipelineResult Result, TimeSpan Wall, int Sent)> RunOnceAsync(PipelineDefinition pipeline, TeacherOptions teacher, CancellationToken cancellationToken)
    {
        await using var session = await TeacherSession.OpenAsync(teacher, cancellationToken: cancellationToken);
        var clock = Stopwatch.StartNew();
        var result = await PipelineRunner.RunAsync(pipeline, session, new PipelineRunOptions { Mode = TeacherMode.Online, CommandLine = "PlanAct.Bench pipeline" }, cancellationToken: cancellationToken);
        clock.Stop();
        return (result, clock.Elapsed, session.Meter.Lines().Sum(l => l.Sent));
    }
}
