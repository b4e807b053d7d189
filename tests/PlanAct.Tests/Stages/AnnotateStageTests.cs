using PlanAct.IO;
using PlanAct.Loopback;
using PlanAct.Plans;
using PlanAct.Stages;
using PlanAct.Stages.Annotate;
using PlanAct.Teacher;
using PlanAct.Teacher.Batch;
using PlanAct.Teacher.Cost;
using PlanAct.Teacher.Limits;
using PlanAct.Trajectories;

namespace PlanAct.Tests.Stages;

/// <summary>The annotate stage through the stage runner and the whole teacher stack, over HTTP against the loopback teacher.</summary>
public class AnnotateStageTests
{
    private static readonly string SamplesFile = Path.Combine(TestPaths.Samples, "trajectories.jsonl");

    internal static readonly BatchSettings FastBatches = new() { PollInterval = TimeSpan.FromMilliseconds(10), MaxPollInterval = TimeSpan.FromMilliseconds(50) };

    internal static TeacherOptions Options(LoopbackTeacher teacher, string dir, int concurrency = 4) => new()
    {
        BaseUrl = teacher.BaseUrl,
        ApiKey = "sk-test-SECRET-42",
        Model = "loopback-model",
        LedgerPath = Path.Combine(dir, "ledger.db"),
        Retry = new RetryPolicy { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20) },
        Limits = new TeacherLimits { Concurrency = concurrency },
        Prices = PriceTable.Default.With("models:\n  loopback-model: { input: 1.0, output: 2.0 }\n", "test"),
    };

    internal static async Task<StageSummary> AnnotateAsync(
        TeacherOptions options, string outPath, TeacherMode mode = TeacherMode.Online, decimal? maxCost = null, AnnotateOptions? annotate = null)
    {
        await using var session = await TeacherSession.OpenAsync(options, maxCost is { } max ? new CostBudget(max) : null);
        var stage = new AnnotateStage(annotate ?? new AnnotateOptions(), session.ModelFor(AnnotateStage.StageName));
        return await new StageRunner<Trajectory, PlanRecord>(stage, session).RunAsync(
            () => TrajectoryFiles.ReadAsync(SamplesFile, new TrajectoryReadOptions()),
            outPath,
            mode,
            mode == TeacherMode.Batch ? session.CreateBatchRunner(FastBatches) : null);
    }

    internal static async Task<List<PlanRecord>> ReadPlansAsync(string path)
    {
        var plans = new List<PlanRecord>();
        await foreach (var plan in PlanJsonl.ReadAsync(path, new ProblemLog()))
        {
            plans.Add(plan);
        }

        return plans;
    }

    [Fact]
    public async Task A_broken_partition_is_reasked_with_the_exact_error_and_the_second_answer_is_kept()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) =>
            ScriptedPlans.IsReask(r) ? ScriptedPlans.Valid(r) : new LoopbackReply.Answer(ScriptedPlans.BrokenPartition(ScriptedPlans.ActionCount(r))));
        var dir = TestPaths.TempDir();
        var outPath = Path.Combine(dir, "plans.jsonl");

        var summary = await AnnotateAsync(Options(teacher, dir), outPath);

        Assert.True(summary.Complete);
        Assert.Equal(17, summary.Ok);
        Assert.Equal(34, teacher.Calls);
        var reask = teacher.Received.First(ScriptedPlans.IsReask);
        var expected = AnnotateStage.Check(ScriptedPlans.BrokenPartition(ScriptedPlans.ActionCount(reask)), ScriptedPlans.ActionCount(reask)).Error!;
        Assert.Contains(expected, reask.LastUserMessage, StringComparison.Ordinal);
        var plans = await ReadPlansAsync(outPath);
        var trajectories = await TrajectoryFiles.ReadAsync(SamplesFile, new TrajectoryReadOptions()).ToListAsync();
        Assert.Equal(trajectories.Select(t => t.Id), plans.Select(p => p.Id));
        foreach (var (plan, trajectory) in plans.Zip(trajectories))
        {
            Assert.Empty(PlanValidator.ValidateGrounding(plan.Plan, 0, trajectory.Steps.Count));
            Assert.Equal(PlanOrigin.Grounded, plan.Origin);
            Assert.Equal("loopback-model", plan.Teacher);
            Assert.Equal(2, plan.Requests!.Count);
            Assert.Equal(trajectory.InitialHtml, plan.InitialHtml);
        }

        Assert.False(File.Exists(QuarantineFile.PathBeside(outPath)));
    }

    [Fact]
    public async Task A_teacher_that_never_gets_it_right_has_every_item_quarantined_with_its_reason_and_attempts()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => new LoopbackReply.Answer(ScriptedPlans.BrokenPartition(ScriptedPlans.ActionCount(r))));
        var dir = TestPaths.TempDir();
        var outPath = Path.Combine(dir, "plans.jsonl");

        var summary = await AnnotateAsync(Options(teacher, dir), outPath);

        Assert.Equal(17, summary.Quarantined);
        Assert.Equal(0, summary.Ok);
        Assert.Equal(17 * 3, teacher.Calls);
        Assert.Empty(await File.ReadAllTextAsync(outPath));
        var lines = await File.ReadAllLinesAsync(Path.Combine(dir, "plans.quarantine.jsonl"));
        Assert.Equal(17, lines.Length);
        using var first = System.Text.Json.JsonDocument.Parse(lines[0]);
        Assert.Equal("annotate", first.RootElement.GetProperty("stage").GetString());
        Assert.Contains("is not assigned to any step", first.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, first.RootElement.GetProperty("attempts").GetArrayLength());
        Assert.NotNull(first.RootElement.GetProperty("attempts")[0].GetProperty("answer").GetString());
    }

    [Fact]
    public async Task A_rerun_sends_nothing_and_ends_with_the_same_output()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedPlans.Valid(r));
        var dir = TestPaths.TempDir();
        var outPath = Path.Combine(dir, "plans.jsonl");
        await AnnotateAsync(Options(teacher, dir), outPath);
        var first = await File.ReadAllTextAsync(outPath);

        File.Delete(outPath);
        var again = await AnnotateAsync(Options(teacher, dir), outPath);

        Assert.Equal(17, teacher.Calls);
        Assert.Equal(17, again.Costs.Single().Reused);
        Assert.Equal(first, await File.ReadAllTextAsync(outPath));
    }

    [Fact]
    public async Task A_torn_last_line_is_cut_and_only_missing_records_are_added()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedPlans.Valid(r));
        var dir = TestPaths.TempDir();
        var outPath = Path.Combine(dir, "plans.jsonl");
        await AnnotateAsync(Options(teacher, dir), outPath);
        var whole = await File.ReadAllTextAsync(outPath);
        var lines = whole.Split('\n');

        // Three whole records, then half of the fourth, as a crash mid-write would leave it.
        await File.WriteAllTextAsync(outPath, string.Join("\n", lines.Take(3)) + "\n" + lines[3][..(lines[3].Length / 2)]);
        var resumed = await AnnotateAsync(Options(teacher, dir), outPath);

        Assert.Equal(3, resumed.AlreadyDone);
        Assert.Equal(14, resumed.Ok);
        Assert.Equal(whole, await File.ReadAllTextAsync(outPath));
    }

    [Fact]
    public async Task Max_cost_stops_cleanly_and_a_later_run_finishes_the_same_output()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedPlans.Valid(r));
        var dir = TestPaths.TempDir();
        var reference = Path.Combine(dir, "reference.jsonl");
        await AnnotateAsync(Options(teacher, Path.Combine(dir, "a")), reference);

        var outPath = Path.Combine(dir, "plans.jsonl");
        var options = Options(teacher, Path.Combine(dir, "b"), concurrency: 1);
        var stopped = await AnnotateAsync(options, outPath, maxCost: 0.005m);

        Assert.NotNull(stopped.StoppedBecause);
        Assert.Contains("budget", stopped.StoppedBecause, StringComparison.Ordinal);
        Assert.InRange(stopped.Ok, 1, 16);
        Assert.True(stopped.Costs.Single().Dollars <= 0.005m);
        var finished = await AnnotateAsync(options, outPath);
        Assert.True(finished.Complete);
        Assert.Equal(stopped.Ok, finished.AlreadyDone);
        Assert.Equal(await File.ReadAllTextAsync(reference), await File.ReadAllTextAsync(outPath));
    }

    [Fact]
    public async Task A_dry_run_builds_every_request_and_sends_and_writes_nothing()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedPlans.Valid(r));
        var dir = TestPaths.TempDir();
        var outPath = Path.Combine(dir, "plans.jsonl");

        var summary = await AnnotateAsync(Options(teacher, dir), outPath, TeacherMode.DryRun);

        Assert.Equal(0, teacher.Calls);
        Assert.False(File.Exists(outPath));
        Assert.Equal(17, summary.Pending.Count);
        var estimate = Assert.Single(CostEstimate.Of(summary.Pending, Options(teacher, dir).Prices, 1000));
        Assert.Equal(17, estimate.Requests);
        Assert.True(estimate.InputTokens > 17 * 500);
        Assert.Equal(17_000, estimate.OutputTokens);
        Assert.Equal(((estimate.InputTokens * 1.0m) + (17_000 * 2.0m)) / 1_000_000m, estimate.Online);
        Assert.Equal(estimate.Online / 2, estimate.Batch);
    }

    [Fact]
    public async Task Concurrency_caps_the_requests_in_flight()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => new LoopbackReply.Delayed(TimeSpan.FromMilliseconds(100), ScriptedPlans.Valid(r)));
        var dir = TestPaths.TempDir();

        await AnnotateAsync(Options(teacher, dir, concurrency: 3), Path.Combine(dir, "plans.jsonl"));

        Assert.Equal(17, teacher.Calls);
        Assert.InRange(teacher.MaxInFlight, 2, 3);
    }

    [Fact]
    public async Task The_api_key_reaches_no_output_ledger_or_quarantine()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, call) => call % 2 == 0 ? new LoopbackReply.Answer("not a plan") : ScriptedPlans.Valid(r));
        var dir = TestPaths.TempDir();
        await AnnotateAsync(Options(teacher, dir), Path.Combine(dir, "plans.jsonl"));

        Assert.All(teacher.Received, r => Assert.Equal("Bearer sk-test-SECRET-42", r.Authorization));
        foreach (var file in Directory.EnumerateFiles(dir))
        {
            Assert.DoesNotContain("SECRET", await File.ReadAllTextAsync(file), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Batched_mode_gives_the_same_plans_as_online_mode_with_reasks_in_later_rounds()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) =>
            ScriptedPlans.IsReask(r) ? ScriptedPlans.Valid(r) : new LoopbackReply.Answer(ScriptedPlans.BrokenPartition(ScriptedPlans.ActionCount(r))));
        var dir = TestPaths.TempDir();
        var online = Path.Combine(dir, "online.jsonl");
        await AnnotateAsync(Options(teacher, Path.Combine(dir, "a")), online);
        var onlineCalls = teacher.Calls;

        var batched = Path.Combine(dir, "batched.jsonl");
        var summary = await AnnotateAsync(Options(teacher, Path.Combine(dir, "b")), batched, TeacherMode.Batch);

        Assert.True(summary.Complete);
        Assert.Equal(17, summary.Ok);
        Assert.Equal(onlineCalls, teacher.Calls - onlineCalls);
        Assert.Equal(2, teacher.Batches.Count);
        Assert.Equal(await File.ReadAllTextAsync(online), await File.ReadAllTextAsync(batched));
        var cost = Assert.Single(summary.Costs, c => c.Batch);
        Assert.Equal(34, cost.Sent);
        Assert.Equal(0, summary.Costs.Where(c => !c.Batch).Sum(c => c.Sent));

        // A rejection seen again in each later round is counted once: in the round that finishes its item.
        var onlineRejections = StageStats.TryRead(StageStats.PathBeside(online))!.RejectedByReason;
        Assert.Equal(17, onlineRejections.Values.Sum());
        Assert.Equal(onlineRejections, StageStats.TryRead(StageStats.PathBeside(batched))!.RejectedByReason);
    }

    [Fact]
    public async Task Azure_deployments_are_reached_on_their_own_route()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedPlans.Valid(r));
        var dir = TestPaths.TempDir();
        var options = Options(teacher, dir) with { Provider = TeacherProvider.Azure, BaseUrl = new Uri(teacher.BaseUrl.GetLeftPart(UriPartial.Authority)), Model = "my-deployment" };

        var summary = await AnnotateAsync(options, Path.Combine(dir, "plans.jsonl"));

        Assert.Equal(17, summary.Ok);
        Assert.All(teacher.Received, r => Assert.Equal("/openai/deployments/my-deployment/chat/completions", r.Path));
    }

    [Fact]
    public async Task Examples_are_a_sites_own_or_the_default_list_rendered_once_and_none_without_either()
    {
        var dir = TestPaths.TempDir();
        var one = Path.Combine(dir, "examples.yaml");
        await File.WriteAllTextAsync(one, ExampleYaml("shopping", "Find the cheapest kettle.") + ExampleYaml("default", "Open the first post."));
        var examples = AnnotationExamples.Load(one);

        Assert.Contains("Find the cheapest kettle.", examples.Render("shopping"), StringComparison.Ordinal);
        Assert.DoesNotContain("Open the first post.", examples.Render("shopping"), StringComparison.Ordinal);
        Assert.Contains("Open the first post.", examples.Render("reddit"), StringComparison.Ordinal);

        // Sites that fall back share the default list's text, made once; a site never asked about leaves nothing behind.
        Assert.Same(examples.Render("reddit"), examples.Render("gitlab"));
        Assert.Same(examples.Render("shopping"), examples.Render("SHOPPING"));

        var none = Path.Combine(dir, "shopping-only.yaml");
        await File.WriteAllTextAsync(none, ExampleYaml("shopping", "Find the cheapest kettle."));
        Assert.Equal("", AnnotationExamples.Load(none).Render("reddit"));
    }

    private static string ExampleYaml(string site, string task) =>
        $"""
        {site}:
          - task: {task}
            page: a page
            actions:
              - 'do(action="Click", element="3")'
            plan: |
              ## Step 1
              Reasoning: Start here.
              Description: Click the first link.
              Step: Do it.
              Actions: [0]

        """;
}
