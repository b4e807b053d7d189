using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using PlanAct.IO;
using PlanAct.Loopback;
using PlanAct.Pipeline;
using PlanAct.Stages.Catalogue;
using PlanAct.Teacher;
using PlanAct.Tests.Stages;

namespace PlanAct.Tests.Pipeline;

/// <summary>How the runner schedules nodes: independent ones at the same time, results in graph order, a failure stops the rest.</summary>
public class PipelineRunnerTests
{
    /// <summary>Far more than any of these runs takes: a run that waits on itself fails here instead of hanging.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(2);

    /// <summary>A node whose work the test scripts; it requires <paramref name="requires"/>.</summary>
    private sealed class ScriptedNode(string name, Func<CancellationToken, Task<NodeStatus>> work, params string[] requires) : IPipelineNode
    {
        public string Name => name;

        public IReadOnlyList<string> Requires => requires;

        public bool YieldsTrainingData => false;

        public bool ReadsAllTrainingData => false;

        public void Check(StageOptions options)
        {
        }

        public string? ExpectedRequests(RunInput input, StageOptions options) => null;

        /// <summary>Whether it counts as a node that asks the teacher (off the CPU work lane).</summary>
        public bool Teacher { get; init; }

        public bool AsksTeacher(StageOptions options) => Teacher;

        public IReadOnlyList<StageFollower> Follow(PipelineContext context, StageOptions options) => [];

        public async Task<NodeResult> RunAsync(PipelineContext context, StageOptions options, CancellationToken cancellationToken) =>
            new(Name, await work(cancellationToken), [], $"{Name} scripted");
    }

    private static PipelineDefinition Pipeline(string dir, string stages, string inputs = "")
    {
        var path = Path.Combine(dir, "pipeline.yaml");
        File.WriteAllText(path, $"name: scheduling\n{inputs}run_dir: {Path.Combine(dir, "run")}\nstages:\n{stages}");
        return PipelineDefinition.Load(path);
    }

    private static bool IsClassify(ReceivedRequest request) =>
        ScriptedPipeline.SystemMessage(request).StartsWith("You help decide which extra training data", StringComparison.Ordinal);

    [Fact]
    public async Task Independent_stages_run_at_the_same_time_on_one_teacher()
    {
        // Classify is answered only once replan has asked: run one after the other (classify first in graph order), this never ends.
        var replanAsked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var teacher = await LoopbackTeacher.StartAsync((request, _) =>
        {
            if (IsClassify(request))
            {
                return new LoopbackReply.After(replanAsked.Task, ScriptedPipeline.Answer(request));
            }

            if (ScriptedReplans.IsReplan(request))
            {
                replanAsked.TrySetResult();
            }

            return ScriptedPipeline.Answer(request);
        });
        var dir = TestPaths.TempDir();
        var pipeline = Pipeline(
            dir,
            $"  annotate: {{}}\n  classify:\n    options: {{ classes: {Path.Combine(TestPaths.Samples, "failure-classes.yaml")} }}\n  replan: {{}}\n",
            $"inputs:\n  trajectories: {Path.Combine(TestPaths.Samples, "trajectories.jsonl")}\n");
        // Room for every waiting classify request and replan's beside them.
        await using var session = await TeacherSession.OpenAsync(AnnotateStageTests.Options(teacher, dir, concurrency: 64));

        var run = PipelineRunner.RunAsync(pipeline, session, new PipelineRunOptions());
        var result = await run.WaitAsync(Bound);

        Assert.Equal(["annotate", "classify", "replan"], result.Stages.Select(s => s.Stage));
        Assert.All(result.Stages, s => Assert.Equal(NodeStatus.Done, s.Status));
        Assert.Equal(17, File.ReadAllLines(Path.Combine(dir, "run", "labelled.jsonl")).Length);
        Assert.Equal(17, File.ReadAllLines(Path.Combine(dir, "run", "replans.jsonl")).Length);
        Assert.Equal(17, teacher.Received.Count(IsClassify));
    }

    [Fact]
    public async Task Input_that_does_not_pass_the_check_is_the_runs_error_though_the_stages_started_and_nothing_is_asked_or_written()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedPipeline.Answer(r));
        var dir = TestPaths.TempDir();
        var lines = File.ReadAllLines(Path.Combine(TestPaths.Samples, "trajectories.jsonl"));
        var input = Path.Combine(dir, "trajectories.jsonl");
        File.WriteAllLines(input, [.. lines[..12], "{\"schema\": \"planact/trajectory@2\", \"id\": ", .. lines[12..]]);
        var pipeline = Pipeline(dir, "  annotate: {}\n  act: {}\n", $"inputs:\n  trajectories: {input}\n");
        await using var session = await TeacherSession.OpenAsync(AnnotateStageTests.Options(teacher, dir));

        var error = await Assert.ThrowsAsync<InputException>(() => PipelineRunner.RunAsync(pipeline, session, new PipelineRunOptions()).WaitAsync(Bound));

        Assert.Equal(13, error.Location.Line);
        Assert.Contains("1 invalid in all; `planact inspect", error.Message, StringComparison.Ordinal);
        Assert.Empty(teacher.Received);
        Assert.False(File.Exists(Path.Combine(dir, "run", "executor.jsonl")));
        Assert.Equal(0, new FileInfo(Path.Combine(dir, "run", "plans.jsonl")) is { Exists: true } plans ? plans.Length : 0);

        // The same session, given a valid input, asks again: the failed check held only its own run.
        File.WriteAllLines(input, lines);
        var result = await PipelineRunner.RunAsync(pipeline, session, new PipelineRunOptions()).WaitAsync(Bound);
        Assert.All(result.Stages, s => Assert.Equal(NodeStatus.Done, s.Status));
        Assert.Equal(17, File.ReadAllLines(Path.Combine(dir, "run", "plans.jsonl")).Length);
    }

    [Fact]
    public async Task Nodes_that_ask_no_teacher_run_on_the_cpu_work_lane_and_the_others_off_it()
    {
        var threads = new ConcurrentDictionary<string, string?>();
        async Task<NodeStatus> Record(string node)
        {
            await Task.Yield();
            threads[node] = Thread.CurrentThread.Name;
            return NodeStatus.Done;
        }

        var registry = new PipelineRegistry(
        [
            new ScriptedNode("asks", _ => Record("asks")) { Teacher = true },
            new ScriptedNode("builds", _ => Record("builds"), "asks"),
        ]);
        var dir = TestPaths.TempDir();
        await using var session = await TeacherSession.OpenAsync(new TeacherOptions { LedgerPath = Path.Combine(dir, "ledger.db") });

        var result = await PipelineRunner.RunAsync(Pipeline(dir, "  asks: {}\n  builds: {}\n"), session, new PipelineRunOptions(), registry).WaitAsync(Bound);

        Assert.All(result.Stages, s => Assert.Equal(NodeStatus.Done, s.Status));
        Assert.Equal(CpuWorkLane.ThreadName, threads["builds"]);
        Assert.NotEqual(CpuWorkLane.ThreadName, threads["asks"]);
    }

    [Fact]
    public async Task Export_writes_a_stages_data_as_soon_as_it_is_done_while_the_others_still_run()
    {
        // Replan is answered only once the planner data and the mix of it are exported: if export waited for every stage, this never ends.
        var plannerExported = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var dir = TestPaths.TempDir();
        var planner = Path.Combine(dir, "run", "export", "planner.openai-chat.jsonl");
        var mix = Path.Combine(dir, "run", "export", "mix.openai-chat.jsonl");
        await using var teacher = await LoopbackTeacher.StartAsync((request, _) =>
            ScriptedReplans.IsReplan(request) ? new LoopbackReply.After(plannerExported.Task, ScriptedPipeline.Answer(request)) : ScriptedPipeline.Answer(request));
        var pipeline = Pipeline(
            dir,
            "  annotate: {}\n  replan: {}\n  export:\n    options: { mix: [planner] }\n",
            $"inputs:\n  trajectories: {Path.Combine(TestPaths.Samples, "trajectories.jsonl")}\n");
        await using var session = await TeacherSession.OpenAsync(AnnotateStageTests.Options(teacher, dir, concurrency: 64));

        var run = PipelineRunner.RunAsync(pipeline, session, new PipelineRunOptions());
        await Task.Run(async () =>
        {
            while (!run.IsCompleted && !(File.Exists(planner) && File.Exists(mix)))
            {
                await Task.Delay(10);
            }
        }).WaitAsync(Bound);
        plannerExported.TrySetResult();
        var result = await run.WaitAsync(Bound);

        Assert.All(result.Stages, s => Assert.Equal(NodeStatus.Done, s.Status));
        Assert.Equal(17, File.ReadAllLines(planner).Length);
        Assert.Equal(98, File.ReadAllLines(Path.Combine(dir, "run", "export", "replanner.openai-chat.jsonl")).Length);
        Assert.Equal(File.ReadAllLines(planner), File.ReadAllLines(mix));
        Assert.Equal(
            [.. new[] { "planner", "replanner", "mix" }.Select(n => Path.Combine(dir, "run", "export", $"{n}.openai-chat.jsonl"))],
            result.Stages.Single(s => s.Stage == "export").Outputs.Select(o => o.Path));
    }

    [Fact]
    public async Task A_failing_node_cancels_the_running_ones_starts_no_more_and_its_error_is_the_runs()
    {
        var slowStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slowCancelled = false;
        var ran = new ConcurrentQueue<string>();
        var registry = new PipelineRegistry(
        [
            new ScriptedNode("slow", async cancellationToken =>
            {
                slowStarted.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    slowCancelled = true;
                    throw;
                }

                return NodeStatus.Done;
            }),
            new ScriptedNode("failing", async _ =>
            {
                await slowStarted.Task;
                throw new InputException(new SourceLocation("plans.jsonl", 3), "scripted failure");
            }),
            new ScriptedNode("after-slow", _ => { ran.Enqueue("after-slow"); return Task.FromResult(NodeStatus.Done); }, "slow"),
            new ScriptedNode("after-failing", _ => { ran.Enqueue("after-failing"); return Task.FromResult(NodeStatus.Done); }, "failing"),
        ]);
        var dir = TestPaths.TempDir();
        var pipeline = Pipeline(dir, "  slow: {}\n  failing: {}\n  after-slow: {}\n  after-failing: {}\n");
        await using var session = await TeacherSession.OpenAsync(new TeacherOptions { LedgerPath = Path.Combine(dir, "ledger.db") });

        var run = PipelineRunner.RunAsync(pipeline, session, new PipelineRunOptions(), registry);
        var error = await Assert.ThrowsAsync<InputException>(() => run.WaitAsync(Bound));

        Assert.Contains("scripted failure", error.Message, StringComparison.Ordinal);
        Assert.True(slowCancelled);
        Assert.Empty(ran);
        Assert.False(File.Exists(Path.Combine(dir, "run", PipelineRunner.ManifestName)));
    }

    [Fact]
    public async Task Results_are_in_graph_order_whatever_order_the_nodes_finish_in_and_only_dependents_of_an_unfinished_node_are_blocked()
    {
        var secondFinished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = new ConcurrentQueue<string>();
        var registry = new PipelineRegistry(
        [
            new ScriptedNode("first", async _ =>
            {
                await secondFinished.Task;
                finished.Enqueue("first");
                return NodeStatus.Stopped;
            }),
            new ScriptedNode("second", _ =>
            {
                finished.Enqueue("second");
                secondFinished.TrySetResult();
                return Task.FromResult(NodeStatus.Done);
            }),
            new ScriptedNode("after-first", _ => Task.FromResult(NodeStatus.Done), "first"),
            new ScriptedNode("after-second", _ => Task.FromResult(NodeStatus.Done), "second"),
        ]);
        var dir = TestPaths.TempDir();
        var pipeline = Pipeline(dir, "  after-second: {}\n  after-first: {}\n  second: {}\n  first: {}\n");
        await using var session = await TeacherSession.OpenAsync(new TeacherOptions { LedgerPath = Path.Combine(dir, "ledger.db") });

        var options = new PipelineRunOptions();
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source == TeacherTelemetry.Source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if ((string?)activity.GetTagItem("planact.run_id") == options.RunId)
                {
                    spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        var result = await PipelineRunner.RunAsync(pipeline, session, options, registry).WaitAsync(Bound);

        Assert.Equal(["second", "first"], finished);
        // Every stage's span is a child of the run's, though the stages overlap.
        var runSpan = Assert.Single(spans, s => s.OperationName == "planact.run");
        Assert.Equal(4, spans.Count(s => s.OperationName.StartsWith("planact.stage ", StringComparison.Ordinal) && s.ParentSpanId == runSpan.SpanId));
        string[] graphOrder = ["first", "second", "after-first", "after-second"];
        Assert.Equal(graphOrder, result.Stages.Select(s => s.Stage));
        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(result.ManifestPath));
        var stages = manifest.RootElement.GetProperty("stages").EnumerateArray().ToList();
        Assert.Equal(graphOrder, stages.Select(s => s.GetProperty("stage").GetString()));
        Assert.Equal(["stopped", "done", "blocked", "done"], stages.Select(s => s.GetProperty("status").GetString()));
        Assert.Equal("waits for first to finish", stages[2].GetProperty("summary").GetString());
    }
}
