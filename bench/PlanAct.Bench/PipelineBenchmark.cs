using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using PlanAct.Pipeline;
using PlanAct.Stages;
using PlanAct.Stages.Annotate;
using PlanAct.Stages.Replan;
using PlanAct.Teacher;
using PlanAct.Trajectories;
using static System.FormattableString;

namespace PlanAct.Bench;

/// <summary>Options of the <c>pipeline</c> benchmark.</summary>
internal sealed record PipelineBenchOptions(int Copies, TimeSpan Delay, int Concurrency, bool Json = false, string? Keep = null)
{
    public static PipelineBenchOptions Parse(IReadOnlyList<string> args)
    {
        var copies = 100;
        var delayMs = 200;
        var concurrency = 64;
        string? keep = null;
        var (json, others) = CommandLine.Flag(args, "--json");
        foreach (var (option, value) in CommandLine.Pairs(others))
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
                case "--keep":
                    keep = Path.GetFullPath(value);
                    break;
                default:
                    throw new ArgumentException($"unknown option \"{option}\"");
            }
        }

        return new PipelineBenchOptions(copies, TimeSpan.FromMilliseconds(delayMs), concurrency, json, keep);
    }
}

/// <summary>The <c>pipeline --json</c> output: one object, comparable run to run.</summary>
internal sealed record PipelineBenchJson(
    string Machine, int Trajectories, double DelayMs, int Concurrency, IReadOnlyList<PipelineStageJson> Stages, double WallS, double IdealS, double ShareOfIdeal, double AgainS, double PeakWorkingSetMib);

/// <summary>
/// One stage of <see cref="PipelineBenchJson"/>: its ideal is null when it sends nothing; <c>after_others_s</c> is how
/// long it ran on once every other stage had finished (export's own share of the run, its other work overlapping).
/// </summary>
internal sealed record PipelineStageJson(string Stage, int Requests, double StartS, double WallS, double AfterOthersS, double? IdealS, double AgainS);

/// <summary>
/// The <c>pipeline</c> benchmark: samples/pipeline.yaml, the whole stage graph (annotate → act / expand / classify →
/// augment / replan → dynamic-act → export), with its input swapped for the samples replicated N times, through
/// <see cref="PipelineRunner"/> as <c>planact run</c> drives it, against a loopback teacher in a child process that
/// answers every stage validly after a fixed delay (warmed up first from another process, see <see cref="WarmUpAsync"/>).
/// Per stage and in all it reports the requests sent, the wall time
/// against the ideal, requests/s and the CPU time of both processes; then peak memory, and a second run that finds
/// everything done (it must send nothing). The ideal is the teacher's delay and nothing else: stages that do not need
/// each other run at the same time, but they share the teacher's slots, so the ideal of the run is still the sum of
/// the stages' ideals (the slots are full all the way); a stage without a teacher has none; a teacher stage needs, per
/// pass of its stage runner (expand asks in waves, each a pass; the others make one), its requests spread over every
/// slot in whole rounds, ⌈requests ÷ concurrency⌉ delays, but never fewer than its longest chain of requests that wait
/// for each other (replan: a trajectory of n actions asks its n − 1 rounds in order; elsewhere one request per item).
/// </summary>
internal static class PipelineBenchmark
{
    private const string Model = "gpt-4.1-mini";

    private const string OutsideStages = "input check, run.json, report";

    public static async Task<int> RunAsync(PipelineBenchOptions options)
    {
        var cancellationToken = CancellationToken.None;
        var root = RepositoryRoot.Find();

        // With --json the one JSON object is all of stdout; the progress goes to stderr.
        var log = options.Json ? Console.Error : Console.Out;
        log.WriteLine($"Machine: {Machine.Describe()}");
        var samples = await SampleTrajectories.LoadAsync(root, cancellationToken);
        var items = samples.Trajectories.Count * options.Copies;
        var replanRounds = samples.Trajectories.Sum(t => t.Steps.Count - 1) * options.Copies;
        var longestReplan = samples.Trajectories.Max(t => t.Steps.Count - 1);
        var folder = Directory.CreateTempSubdirectory("planact-bench-pipeline-");
        try
        {
            var (pipeline, input) = await PrepareAsync(root, samples, items, folder.FullName, cancellationToken);
            log.WriteLine(Invariant($"Input: {items:N0} trajectories ({options.Copies} copies of the {samples.Trajectories.Count} of {samples.Source}), {Units.ToMiB(new FileInfo(input).Length):F1} MiB"));
            log.WriteLine(Invariant($"Stages: {string.Join(", ", pipeline.Stages.Select(s => s.Stage))} ({PipelineDefinition.SamplesPath})"));

            await using var server = await LoopbackServer.StartAsync(options.Delay, cancellationToken);
            log.Write(Invariant($"Loopback teacher: child process, every answer after {options.Delay.TotalMilliseconds:F0} ms; concurrency {options.Concurrency}; warming it up ... "));
            var warmUp = Stopwatch.StartNew();
            await WarmUpAsync(server.BaseUrl, options.Concurrency, cancellationToken);
            log.WriteLine(Invariant($"{warmUp.Elapsed.TotalSeconds:F1} s"));
            var teacher = Teacher(pipeline, server.BaseUrl, options.Concurrency, folder.FullName);

            using var heap = new GcHeapSampler();
            var first = await RunOnceAsync(pipeline, teacher, server, cancellationToken);
            var again = await RunOnceAsync(pipeline, teacher, server, cancellationToken);
            heap.Sample();
            using var self = Process.GetCurrentProcess();

            Check(first, items, replanRounds);
            if (again.Sent != 0 || again.Result.Stages.Any(s => s.Status != NodeStatus.Done))
            {
                throw new InvalidOperationException(Invariant($"the second run should find everything done; it sent {again.Sent} requests ({Describe(again)})"));
            }

            log.WriteLine();
            log.WriteLine(Table(first, again, options, longestReplan));
            log.WriteLine();
            log.WriteLine(string.Join("; ", first.Stages.Where(s => first.AfterOthers(s) > TimeSpan.Zero).Select(s => Invariant($"{s.Stage} ran {first.AfterOthers(s).TotalSeconds:F1} s after every other stage had finished"))) + ".");
            log.WriteLine(Invariant($"Second run (everything done): {again.Wall.TotalSeconds:F1} s, {again.Sent} requests sent (checked: the benchmark fails if any is)."));
            log.WriteLine(Invariant($"Peak working set {Units.ToMiB(self.PeakWorkingSet64):F0} MiB, peak managed heap {Units.ToMiB(heap.PeakHeapBytes):F0} MiB (this process: pipeline and report; the loopback teacher runs apart)"));
            if (options.Json)
            {
                Console.WriteLine(JsonSerializer.Serialize(Json(first, again, options, longestReplan, items, self.PeakWorkingSet64), BenchReportJsonContext.Default.PipelineBenchJson));
            }

            return 0;
        }
        finally
        {
            if (options.Keep is { } keep)
            {
                // The input, run folder and ledger, to measure a stage again on its own (e.g. planact export).
                Directory.Move(folder.FullName, keep);
                log.WriteLine($"Kept the run in {keep}");
            }
            else
            {
                folder.Delete(recursive: true);
            }
        }
    }

    /// <summary>The child process that warms the loopback teacher up: <c>warm-teacher URL CONCURRENCY</c>.</summary>
    public const string WarmUpCommand = "warm-teacher";

    /// <summary>Trajectories of the warm-up run: ten copies of the samples, every stage asked a few hundred times.</summary>
    private const int WarmUpCopies = 10;

    /// <summary>
    /// Runs the pipeline on <see cref="WarmUpCopies"/> copies of the samples against the loopback teacher in another
    /// child process, so the measured run meets a teacher whose code is compiled (a real one is): the JIT of the
    /// teacher's first thousand answers is the fake teacher's cost, not the pipeline's. This process stays cold, as a
    /// fresh <c>planact run</c> is.
    /// </summary>
    private static async Task WarmUpAsync(Uri teacher, int concurrency, CancellationToken cancellationToken)
    {
        using var child = ChildProcess.Start([WarmUpCommand, teacher.ToString(), concurrency.ToString(CultureInfo.InvariantCulture)]);
        var output = await child.StandardOutput.ReadToEndAsync(cancellationToken);
        await child.WaitForExitAsync(cancellationToken);
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"the teacher's warm-up run failed (exit code {child.ExitCode}): {output.Trim()}");
        }
    }

    /// <summary>The child side of <see cref="WarmUpAsync"/>.</summary>
    public static async Task<int> RunWarmUpChildAsync(IReadOnlyList<string> args)
    {
        if (args is not [var url, var concurrency])
        {
            throw new ArgumentException($"usage: {WarmUpCommand} URL CONCURRENCY");
        }

        var cancellationToken = CancellationToken.None;
        var root = RepositoryRoot.Find();
        var samples = await SampleTrajectories.LoadAsync(root, cancellationToken);
        var folder = Directory.CreateTempSubdirectory("planact-bench-warm-up-");
        try
        {
            var (pipeline, _) = await PrepareAsync(root, samples, samples.Trajectories.Count * WarmUpCopies, folder.FullName, cancellationToken);
            var teacher = Teacher(pipeline, new Uri(url), CommandLine.Positive("CONCURRENCY", concurrency), folder.FullName);
            await using var session = await TeacherSession.OpenAsync(teacher, cancellationToken: cancellationToken);
            var result = await PipelineRunner.RunAsync(pipeline, session, new PipelineRunOptions { Mode = TeacherMode.Online, CommandLine = "PlanAct.Bench warm-teacher" }, PipelineRegistry.Default, cancellationToken);
            return result.Stages.All(s => s.Status == NodeStatus.Done) ? 0 : 1;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>The bundled pipeline over <paramref name="items"/> copies of the samples, its input and run folder in <paramref name="folder"/>.</summary>
    private static async Task<(PipelineDefinition Pipeline, string Input)> PrepareAsync(
        string root, SampleTrajectories samples, int items, string folder, CancellationToken cancellationToken)
    {
        var input = Path.Combine(folder, "trajectories.jsonl");
        await TrajectoryFiles.WriteAsync(input, TrajectoryFormat.Jsonl, Enumerable.Range(0, items).Select(samples.Copy).ToAsyncEnumerable(), cancellationToken);
        var pipeline = PipelineDefinition.Load(Path.Combine(root, PipelineDefinition.SamplesPath)) with
        {
            Inputs = new Dictionary<string, string> { ["trajectories"] = input },
            RunDir = Path.Combine(folder, "run"),
        };
        return (pipeline, input);
    }

    /// <summary>The pipeline's teacher settings pointed at the loopback teacher, with its own ledger in <paramref name="folder"/>.</summary>
    private static TeacherOptions Teacher(PipelineDefinition pipeline, Uri url, int concurrency, string folder)
    {
        var teacher = pipeline.ApplyTeacher(new TeacherOptions()) with
        {
            BaseUrl = url,
            ApiKey = "bench",
            Model = Model,
            LedgerPath = Path.Combine(folder, "ledger.db"),
        };
        return teacher with { Limits = teacher.Limits with { Concurrency = concurrency } };
    }

    /// <summary>Rounds of the teacher's delay a stage needs at the least (see the class summary).</summary>
    private static int IdealRounds(StageMeasurement stage, int concurrency, int longestReplan) =>
        stage.Passes.Where(p => p.Requests > 0).Sum(p => Math.Max((p.Requests + concurrency - 1) / concurrency, LongestChain(stage.Stage, longestReplan)));

    private static int LongestChain(string stage, int longestReplan) => stage == ReplanStage.StageName ? longestReplan : 1;

    /// <summary>
    /// The ideal holds only if the scripted teacher's answers were all accepted: every stage done with nothing left
    /// out, and as many requests as the chains above say (a re-ask would lengthen a chain).
    /// </summary>
    private static void Check(PipelineRun run, int items, int replanRounds)
    {
        if (run.Result.Stages.FirstOrDefault(s => s.Status != NodeStatus.Done || s.Problems > 0) is { } stage)
        {
            throw new InvalidOperationException(Invariant($"stage {stage.Stage} ended {stage.Status} with {stage.Problems} items left out: {stage.Summary}"));
        }

        foreach (var measured in run.Stages.Where(s => s.Sent > 0))
        {
            var expected = measured.Stage switch
            {
                AnnotateStage.StageName => items,
                ReplanStage.StageName => replanRounds,
                _ => measured.Passes.Sum(p => p.Items),
            };
            if (measured.Passes.Sum(p => p.Requests) != measured.Sent || measured.Sent != expected)
            {
                throw new InvalidOperationException(Invariant(
                    $"stage {measured.Stage} sent {measured.Sent} requests, {measured.Passes.Sum(p => p.Requests)} in its passes; expected {expected} (one per item, replan one per round): a re-ask or a lost count"));
            }
        }
    }

    private static PipelineBenchJson Json(PipelineRun first, PipelineRun again, PipelineBenchOptions options, int longestReplan, int trajectories, long peakWorkingSet)
    {
        var stages = first.Stages.Select(s => new PipelineStageJson(
            s.Stage, s.Sent, s.Start.TotalSeconds, s.Wall.TotalSeconds, first.AfterOthers(s).TotalSeconds,
            s.Sent > 0 ? IdealRounds(s, options.Concurrency, longestReplan) * options.Delay.TotalSeconds : null, again.Stage(s.Stage).Wall.TotalSeconds)).ToList();
        var ideal = stages.Sum(s => s.IdealS ?? 0);
        return new PipelineBenchJson(
            Machine.Describe(), trajectories, options.Delay.TotalMilliseconds, options.Concurrency, stages, first.Wall.TotalSeconds, ideal, ideal / first.Wall.TotalSeconds, again.Wall.TotalSeconds, Units.ToMiB(peakWorkingSet));
    }

    private static string Table(PipelineRun first, PipelineRun again, PipelineBenchOptions options, int longestReplan)
    {
        var delay = options.Delay.TotalSeconds;
        var table = new StringBuilder()
            .AppendLine("| Stage | Requests | Passes | Longest chain | Ideal s | Start s | Wall s | Ideal / wall | Requests/s | Pipeline CPU s | Teacher CPU s | Again s |")
            .AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        var idealTotal = 0.0;
        foreach (var stage in first.Stages)
        {
            var ideal = IdealRounds(stage, options.Concurrency, longestReplan) * delay;
            idealTotal += ideal;
            var passes = stage.Passes.Count switch
            {
                0 => "–",
                1 => "1",
                var n => Invariant($"{n} ({string.Join(" + ", stage.Passes.Select(p => p.Requests))})"),
            };
            var chain = stage.Sent > 0 ? Invariant($"{LongestChain(stage.Stage, longestReplan)}") : "–";
            table.AppendLine(Row(stage.Stage, stage.Sent, passes, chain, stage.Sent > 0 ? ideal : null, stage.Start, stage.Wall, stage.PipelineCpu, stage.TeacherCpu, again.Stage(stage.Stage).Wall));
        }

        table.AppendLine(Row(OutsideStages, 0, "–", "–", null, TimeSpan.Zero, first.Outside, null, null, again.Outside));
        table.AppendLine(Row("**whole run**", first.Sent, "", "", idealTotal, TimeSpan.Zero, first.Wall, first.PipelineCpu, first.TeacherCpu, again.Wall));
        return table.ToString().TrimEnd();
    }

    private static string Row(string name, int sent, string passes, string chain, double? ideal, TimeSpan start, TimeSpan wall, TimeSpan? pipelineCpu, TimeSpan? teacherCpu, TimeSpan again)
    {
        var (idealText, share) = ideal is { } i ? (Invariant($"{i:F1}"), Invariant($"{i / wall.TotalSeconds:P0}")) : ("0", "–");
        var rate = sent > 0 ? Invariant($"{sent / wall.TotalSeconds:N1}") : "–";
        static string Cpu(TimeSpan? cpu) => cpu is { } c ? Invariant($"{c.TotalSeconds:F1}") : "–";
        return Invariant(
            $"| {name} | {sent:N0} | {passes} | {chain} | {idealText} | {start.TotalSeconds:F1} | {wall.TotalSeconds:F1} | {share} | {rate} | {Cpu(pipelineCpu)} | {Cpu(teacherCpu)} | {again.TotalSeconds:F1} |");
    }

    private static string Describe(PipelineRun run) =>
        string.Join("; ", run.Result.Stages.Select(s => Invariant($"{s.Stage} {s.Status}, {run.Stage(s.Stage).Sent} sent")));

    private static async Task<PipelineRun> RunOnceAsync(PipelineDefinition pipeline, TeacherOptions teacher, LoopbackServer server, CancellationToken cancellationToken)
    {
        await using var session = await TeacherSession.OpenAsync(teacher, cancellationToken: cancellationToken);
        using var self = Process.GetCurrentProcess();
        var cpuBefore = self.TotalProcessorTime;
        var teacherBefore = server.CpuTime;
        var clock = Stopwatch.StartNew();
        var meter = new StageMeter(() => server.CpuTime);
        var result = await PipelineRunner.RunAsync(
            pipeline, session, new PipelineRunOptions { Mode = TeacherMode.Online, CommandLine = "PlanAct.Bench pipeline", Progress = meter }, meter.Wrap(PipelineRegistry.Default), cancellationToken);
        clock.Stop();
        self.Refresh();
        var measured = meter.Measured.ToDictionary(m => m.Stage, StringComparer.Ordinal);
        return new PipelineRun(result, clock.Elapsed, self.TotalProcessorTime - cpuBefore, server.CpuTime - teacherBefore, [.. result.Stages.Select(s => measured[s.Stage])]);
    }

    /// <summary>One run of the pipeline: its result, wall and CPU times, and each stage's measurement in graph order.</summary>
    private sealed record PipelineRun(PipelineResult Result, TimeSpan Wall, TimeSpan PipelineCpu, TimeSpan TeacherCpu, IReadOnlyList<StageMeasurement> Stages)
    {
        public int Sent => Stages.Sum(s => s.Sent);

        /// <summary>
        /// The wall time of the run outside every stage: the input check before the first, run.json and the report after
        /// the last (stages overlap, so it is not the run less the stages' sum). No CPU: it cannot be told apart.
        /// </summary>
        public TimeSpan Outside => Wall - (Stages.Max(s => s.End) - Stages.Min(s => s.Start));

        public StageMeasurement Stage(string name) => Stages.Single(s => s.Stage == name);

        /// <summary>How long <paramref name="stage"/> ran on once every other stage had finished.</summary>
        public TimeSpan AfterOthers(StageMeasurement stage) =>
            Stages.Count < 2 ? stage.Wall : TimeSpan.FromTicks(Math.Max(0, (stage.End - Stages.Where(s => s != stage).Max(s => s.End)).Ticks));
    }
}
