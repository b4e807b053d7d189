using System.Text.Json;
using PlanAct.Actions;
using PlanAct.Html;
using PlanAct.IO;
using PlanAct.Loopback;
using PlanAct.Plans;
using PlanAct.Plans.Hindsight;
using PlanAct.Stages;
using PlanAct.Stages.Replan;
using PlanAct.Teacher;
using PlanAct.Tests.Training;
using PlanAct.Trajectories;

namespace PlanAct.Tests.Stages;

/// <summary>The replan stage through the stage runner and the whole teacher stack, over HTTP against the loopback teacher.</summary>
public class ReplanStageTests
{
    private static async Task<List<PlannedTrajectory>> PlannedAsync() =>
        [.. (await TestPlans.SampleTrajectoriesAsync()).Select(t => new PlannedTrajectory(t, t.Id, TestPlans.For(t).Plan))];

    private static async Task<StageSummary> ReplanAsync(TeacherOptions options, string outPath, TeacherMode mode = TeacherMode.Online, bool cot = false)
    {
        var planned = await PlannedAsync();
        await using var session = await TeacherSession.OpenAsync(options);
        var stage = new ReplanStage(new ReplanOptions { Cot = cot }, session.ModelFor(ReplanStage.StageName));
        return await new StageRunner<PlannedTrajectory, ReplanRecord>(stage, session).RunAsync(
            () => planned.ToAsyncEnumerable(),
            outPath,
            mode,
            mode == TeacherMode.Batch ? session.CreateBatchRunner(AnnotateStageTests.FastBatches) : null);
    }

    private static async Task<List<ReplanRecord>> ReadAsync(string path) =>
        await ReplanJsonl.ReadLocatedAsync(path, new ProblemLog()).Select(r => r.Record).ToListAsync();

    private static int Rounds(IEnumerable<PlannedTrajectory> planned) => planned.Sum(p => p.Trajectory.Steps.Count - 1);

    [Fact]
    public async Task Every_round_is_replanned_in_order_and_grounded_in_the_actions_left()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedReplans.Valid(r));
        var dir = TestPaths.TempDir();
        var outPath = Path.Combine(dir, "replans.jsonl");
        var planned = await PlannedAsync();

        var summary = await ReplanAsync(AnnotateStageTests.Options(teacher, dir), outPath);

        Assert.True(summary.Complete);
        Assert.Equal(17, summary.Ok);
        Assert.Equal(Rounds(planned), teacher.Calls);
        var records = await ReadAsync(outPath);
        Assert.Equal(planned.Select(p => p.Trajectory.Id), records.Select(r => r.Id));
        foreach (var (record, item) in records.Zip(planned))
        {
            var count = item.Trajectory.Steps.Count;
            Assert.Equal(Enumerable.Range(1, count - 1), record.Rounds.Select(r => r.Round));
            Assert.Empty(record.Validate());
            Assert.Equal(item.Plan, record.InitialPlan);
            Assert.Equal(item.Trajectory.Steps.Select(s => s.Action), record.Actions);
            Assert.All(record.Rounds, r => Assert.Equal(item.Trajectory.Steps[r.Round].Html, r.Html));
            Assert.All(record.Rounds, r => Assert.Equal(ScriptedReplans.ValidPlan(r.Round, count - 1), PlanText.Format(r.Plan)));
            Assert.All(record.Rounds, r => Assert.Single(r.Requests!));
            Assert.Equal("loopback-model", record.Teacher);
        }

        // The compressed chat: round r carries the rules, r earlier rounds (page collapsed, the plan then), and the request.
        foreach (var request in teacher.Received)
        {
            var messages = request.Body["messages"]!.AsArray();
            var round = ScriptedReplans.Round(request);
            Assert.Equal(2 + (2 * round), messages.Count);
            for (var k = 0; k < round; k++)
            {
                Assert.Contains(SftPrompt.HtmlPlaceholder, messages[1 + (2 * k)]!["content"]!.ToString(), StringComparison.Ordinal);
                var plan = messages[2 + (2 * k)]!["content"]!.ToString();
                Assert.Contains(k == 0 ? "Actions: [0" : $"Actions: [{k}]", plan, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task The_request_shows_actions_taken_the_current_page_and_the_actions_left_numbered_absolutely()
    {
        var trajectory = (await TestPlans.SampleTrajectoriesAsync()).First(t => t.Steps.Count >= 5);
        var item = new PlannedTrajectory(trajectory, trajectory.Id, TestPlans.For(trajectory).Plan);
        var stage = new ReplanStage(new ReplanOptions(), "m");
        var earlier = new List<ReplanRound>
        {
            new(1, trajectory.Steps[1].Html, PlanValidator.ParseGrounded(ScriptedReplans.ValidPlan(1, trajectory.Steps.Count - 1), 1, trajectory.Steps.Count).Plan!),
            new(2, trajectory.Steps[2].Html, PlanValidator.ParseGrounded(ScriptedReplans.ValidPlan(2, trajectory.Steps.Count - 1), 2, trajectory.Steps.Count).Plan!),
        };

        var messages = stage.Messages(item, earlier, 3);

        var last = messages[^1].Text;
        var actions = trajectory.Steps.Select(s => s.Action).ToList();
        Assert.Contains($"## Actions already taken (3, numbered 0 to 2)\n{ActionPrinter.PrintNumbered(actions.Take(3))}\n", last, StringComparison.Ordinal);
        Assert.Contains($"## Actions still to take ({actions.Count - 3}, numbered 3 to {actions.Count - 1})\n{ActionPrinter.PrintNumbered(actions.Skip(3), 3)}\n", last, StringComparison.Ordinal);
        Assert.Contains(PageView.Render(trajectory.Steps[3].Html, PageView.Planner), last, StringComparison.Ordinal);
        Assert.Contains($"Write the grounded plan for actions 3 to {actions.Count - 1}.", last, StringComparison.Ordinal);
        Assert.Contains("never name a search result", messages[0].Text, StringComparison.Ordinal);
        Assert.DoesNotContain("<think>", messages[0].Text, StringComparison.Ordinal);
        Assert.Equal(PlanText.Format(earlier[1].Plan).TrimEnd(), messages[^2].Text);
        Assert.Contains("Action taken since the last round:\n1: " + ActionPrinter.PrintCall(actions[1]), messages[^3].Text, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => stage.Messages(item, earlier, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => stage.Messages(item, [], trajectory.Steps.Count));
        Assert.Equal(
            messages.Select(m => m.Text),
            new ReplanStage(new ReplanOptions { Cot = true }, "m").Messages(item, earlier, 3).Select(m => m.Text));
    }

    [Theory]
    [InlineData("## Step 1\nReasoning: r\nDescription: d\nStep: s\nActions: [2, 3, 4]\n", null)]
    [InlineData("## Step 1\nReasoning: r\nDescription: d\nStep: s\nActions: [1, 2, 3, 4]\n", "Step 1 lists action 1, but the actions to cover are 2..4.")]
    [InlineData("## Step 1\nReasoning: r\nDescription: d\nStep: s\nActions: [3, 4]\n", "Action 2 is not assigned to any step")]
    [InlineData("## Step 1\nReasoning: r\nDescription: d\nStep: s\nActions: [2, 3]\n", "Action 4 is not assigned to any step")]
    [InlineData("## Step 1\nReasoning: r\nDescription: d\nStep: s\nActions: [2, 3, 4, 5]\n", "Step 1 lists action 5, but the actions to cover are 2..4.")]
    [InlineData("Sure! Here is the plan.", "No '## Step N' blocks were found.")]
    public void Check_accepts_exactly_the_actions_left(string answer, string? error)
    {
        var result = ReplanStage.Check(new TeacherReply(answer, null, null, false), 2, 5, cot: false);

        if (error is null)
        {
            Assert.Null(result.Error);
            Assert.Equal([2, 3, 4], result.Value!.Steps.Single().Actions!);
        }
        else
        {
            Assert.Contains(error, result.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Cot_screens_only_the_step_lines_of_the_grounded_round_as_its_thinking_round_writes_the_reasoning_again()
    {
        var trajectory = new Trajectory("t", "shopping", "Find the cheapest mug", [
            new TrajectoryStep(0, "<html><body><button id=\"1\">Search</button></body></html>", ActionParser.Parse("do(action=\"Click\", element=\"1\")")),
            new TrajectoryStep(1, "<html><body><p>3 mugs found</p><a id=\"2\">Cheapest</a></body></html>", ActionParser.Parse("do(action=\"Click\", element=\"2\")")),
            new TrajectoryStep(2, "<html><body><p>Blue mug $12.99</p></body></html>", ActionParser.Parse("exit(message=\"$12.99\")")),
        ]);
        var check = new TrajectoryHindsight(trajectory).At(1);
        var plan = ScriptedReplans.ValidPlan(1, 2).Replace("Reasoning: The current page shows", "Reasoning: It costs $12.99. The current page shows", StringComparison.Ordinal);

        Assert.StartsWith(HindsightCheck.ErrorPrefix, ReplanStage.Check(new TeacherReply(plan, null, null, false), 1, 3, cot: false, check).Error, StringComparison.Ordinal);
        Assert.Null(ReplanStage.Check(new TeacherReply(plan, null, null, false), 1, 3, cot: true, check).Error);
        Assert.StartsWith(
            HindsightCheck.ErrorPrefix,
            ReplanStage.Check(new TeacherReply(plan.Replace("Step: Go on from this page.", "Step: Buy the $12.99 mug.", StringComparison.Ordinal), null, null, false), 1, 3, cot: true, check).Error,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plan_grounding_the_wrong_range_is_reasked_with_the_exact_error_and_the_next_round_sees_the_accepted_plan()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) =>
            ScriptedReplans.Round(r) == 2 && !ScriptedReplans.IsReask(r)
                ? new LoopbackReply.Answer(ScriptedReplans.WrongRange(ScriptedReplans.Remaining(r).Last))
                : ScriptedReplans.Valid(r));
        var dir = TestPaths.TempDir();
        var outPath = Path.Combine(dir, "replans.jsonl");
        var planned = await PlannedAsync();

        var summary = await ReplanAsync(AnnotateStageTests.Options(teacher, dir), outPath);

        Assert.True(summary.Complete);
        Assert.Equal(17, summary.Ok);
        Assert.All(planned, p => Assert.True(p.Trajectory.Steps.Count >= 3));
        Assert.Equal(Rounds(planned) + 17, teacher.Calls);
        var reask = teacher.Received.First(ScriptedReplans.IsReask);
        var (first, last) = ScriptedReplans.Remaining(reask);
        var expected = ReplanStage.Check(new TeacherReply(ScriptedReplans.WrongRange(last), null, null, false), first, last + 1, cot: false).Error!;
        Assert.Contains("Step 1 lists action 0, but the actions to cover are 2..", expected, StringComparison.Ordinal);
        Assert.Equal(TeacherDialog.Reask(expected, [], AnswerForms.GroundedPlan), reask.LastUserMessage);
        var records = await ReadAsync(outPath);
        Assert.All(records, r => Assert.Equal(2, r.Rounds[1].Requests!.Count));
        Assert.All(records, r => Assert.Empty(r.Validate()));

        // Round 3 is asked with round 2's accepted plan, not the rejected one.
        var round3 = teacher.Received.First(r => ScriptedReplans.IsReplan(r) && ScriptedReplans.Round(r) == 3 && !ScriptedReplans.IsReask(r));
        var messages = round3.Body["messages"]!.AsArray();
        Assert.Equal(8, messages.Count);
        Assert.StartsWith("## Step 1\nReasoning: The current page shows where things stand after 2 actions.", messages[6]!["content"]!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_round_never_answered_validly_quarantines_its_trajectory_with_the_round_and_every_attempt()
    {
        var planned = await PlannedAsync();
        var victim = planned.Skip(1).First(p => planned.Count(q => q.Trajectory.Task == p.Trajectory.Task) == 1).Trajectory;
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) =>
            IsAbout(r, victim)
                ? new LoopbackReply.Answer(ScriptedReplans.WrongRange(ScriptedReplans.Remaining(r).Last))
                : ScriptedReplans.Valid(r));
        var dir = TestPaths.TempDir();
        var outPath = Path.Combine(dir, "replans.jsonl");

        var summary = await ReplanAsync(AnnotateStageTests.Options(teacher, dir), outPath);

        Assert.Equal(16, summary.Ok);
        Assert.Equal(1, summary.Quarantined);
        Assert.DoesNotContain(victim.Id, (await ReadAsync(outPath)).Select(r => r.Id));
        var line = Assert.Single(await File.ReadAllLinesAsync(QuarantineFile.PathBeside(outPath)));
        using var doc = JsonDocument.Parse(line);
        Assert.Equal("replan", doc.RootElement.GetProperty("stage").GetString());
        Assert.Equal(victim.Id, doc.RootElement.GetProperty("id").GetString());
        Assert.StartsWith("round 1: Step 1 lists action 0, but the actions to cover are 1..", doc.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, doc.RootElement.GetProperty("attempts").GetArrayLength());

        // Its later rounds were never asked: they need round 1's plan.
        Assert.Equal(Rounds(planned) - (victim.Steps.Count - 1) + 3, teacher.Calls);
    }

    private static bool IsAbout(ReceivedRequest request, Trajectory trajectory) =>
        request.Body["messages"]!.AsArray().Any(m => m!["content"]!.ToString().Contains(trajectory.Task, StringComparison.Ordinal));

    [Fact]
    public async Task A_rerun_sends_nothing_and_ends_with_the_same_output()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedReplans.Valid(r));
        var dir = TestPaths.TempDir();
        var outPath = Path.Combine(dir, "replans.jsonl");
        await ReplanAsync(AnnotateStageTests.Options(teacher, dir), outPath);
        var first = await File.ReadAllTextAsync(outPath);
        var calls = teacher.Calls;

        File.Delete(outPath);
        var again = await ReplanAsync(AnnotateStageTests.Options(teacher, dir), outPath);

        Assert.Equal(calls, teacher.Calls);
        Assert.Equal(calls, again.Costs.Single().Reused);
        Assert.Equal(first, await File.ReadAllTextAsync(outPath));
    }

    [Fact]
    public async Task Cot_writes_each_rounds_reasoning_in_a_thinking_round_that_never_sees_the_future_and_keeps_the_grounded_trace_apart()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedReplans.ValidCot(r));
        var dir = TestPaths.TempDir();
        var outPath = Path.Combine(dir, "replans.jsonl");
        var planned = await PlannedAsync();

        var summary = await ReplanAsync(AnnotateStageTests.Options(teacher, dir), outPath, cot: true);

        Assert.True(summary.Complete);
        Assert.Equal(2 * Rounds(planned), teacher.Calls);
        foreach (var (record, item) in (await ReadAsync(outPath)).Zip(planned))
        {
            Assert.Empty(record.Validate());
            Assert.All(record.Rounds, r => Assert.Equal($"Round {r.Round}: actions {r.Round} to {record.Actions.Count - 1} remain.", r.AnnotationTrace));
            Assert.All(record.Rounds, r => Assert.StartsWith("The task names what to find", r.Reasoning, StringComparison.Ordinal));
            Assert.All(record.Rounds, r => Assert.All(r.Plan.Steps, s => Assert.Equal("Seen from the first page, this step comes next.", s.Reasoning)));
            Assert.All(record.Rounds, r => Assert.Equal(2, r.Requests!.Count));
        }

        foreach (var thinking in teacher.Received.Where(ScriptedPlans.IsRewrite))
        {
            var prompt = ScriptedPlans.Prompt(thinking);
            Assert.DoesNotContain("Actions still to take", prompt, StringComparison.Ordinal);
            Assert.DoesNotContain("Actions: [", prompt, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Cot_thinking_that_names_an_action_not_yet_taken_is_reasked_and_earlier_actions_may_be_named()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedPlans.IsRewrite(r) && !ScriptedPlans.IsReask(r)
            ? new LoopbackReply.Answer(ScriptedPlans.Rewrite(r).Replace("The task names", "Action 0 is done and action 99 will finish it; the task names", StringComparison.Ordinal))
            : ScriptedPlans.IsRewrite(r)
                ? new LoopbackReply.Answer(ScriptedPlans.Rewrite(r).Replace("The task names", "Action 0 is done; the task names", StringComparison.Ordinal))
                : ScriptedReplans.ValidCot(r));
        var dir = TestPaths.TempDir();
        var outPath = Path.Combine(dir, "replans.jsonl");
        var planned = await PlannedAsync();

        var summary = await ReplanAsync(AnnotateStageTests.Options(teacher, dir), outPath, cot: true);

        Assert.True(summary.Complete);
        Assert.Equal(3 * Rounds(planned), teacher.Calls);
        Assert.All(teacher.Received.Where(r => ScriptedPlans.IsRewrite(r) && ScriptedPlans.IsReask(r)), r => Assert.Contains("Do not mention action 99", r.LastUserMessage, StringComparison.Ordinal));
        Assert.All(await ReadAsync(outPath), record => Assert.All(record.Rounds, r => Assert.StartsWith("Action 0 is done; the task", r.Reasoning, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Batched_mode_runs_one_batch_per_round_and_gives_the_online_output()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedReplans.Valid(r));
        var dir = TestPaths.TempDir();
        var online = Path.Combine(dir, "online.jsonl");
        var batched = Path.Combine(dir, "batched.jsonl");
        var planned = await PlannedAsync();
        await ReplanAsync(AnnotateStageTests.Options(teacher, Path.Combine(dir, "a")), online);

        var summary = await ReplanAsync(AnnotateStageTests.Options(teacher, Path.Combine(dir, "b")), batched, TeacherMode.Batch);

        Assert.True(summary.Complete);
        Assert.Equal(await File.ReadAllTextAsync(online), await File.ReadAllTextAsync(batched));
        Assert.Equal(planned.Max(p => p.Trajectory.Steps.Count) - 1, teacher.Batches.Count);
        Assert.Equal(Rounds(planned), summary.Costs.Single(c => c.Batch).Sent);
    }

    [Fact]
    public async Task Batched_cot_asks_a_trajectorys_thinking_rounds_in_the_batch_after_its_last_grounded_round_and_gives_the_online_output()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedReplans.ValidCot(r));
        var dir = TestPaths.TempDir();
        var online = Path.Combine(dir, "online.jsonl");
        var batched = Path.Combine(dir, "batched.jsonl");
        var planned = await PlannedAsync();
        await ReplanAsync(AnnotateStageTests.Options(teacher, Path.Combine(dir, "a")), online, cot: true);

        var summary = await ReplanAsync(AnnotateStageTests.Options(teacher, Path.Combine(dir, "b")), batched, TeacherMode.Batch, cot: true);

        Assert.True(summary.Complete);
        Assert.Equal(await File.ReadAllTextAsync(online), await File.ReadAllTextAsync(batched));
        Assert.Equal(planned.Max(p => p.Trajectory.Steps.Count), teacher.Batches.Count);
        Assert.Equal(2 * Rounds(planned), summary.Costs.Single(c => c.Batch).Sent);
    }

    [Fact]
    public async Task A_one_action_trajectory_has_no_round_to_replan_and_asks_nothing()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedReplans.Valid(r));
        var dir = TestPaths.TempDir();
        var outPath = Path.Combine(dir, "replans.jsonl");
        var trajectory = (await TestPlans.SampleTrajectoriesAsync())[0];
        var single = trajectory with { Steps = trajectory.Steps.Take(1).ToEquatableList() };
        await using var session = await TeacherSession.OpenAsync(AnnotateStageTests.Options(teacher, dir));
        var stage = new ReplanStage(new ReplanOptions(), "loopback-model");

        var summary = await new StageRunner<PlannedTrajectory, ReplanRecord>(stage, session).RunAsync(
            () => new[] { new PlannedTrajectory(single, single.Id, TestPlans.For(single).Plan) }.ToAsyncEnumerable(), outPath, TeacherMode.Online);

        Assert.True(summary.Complete);
        Assert.Equal(0, teacher.Calls);
        var record = Assert.Single(await ReadAsync(outPath));
        Assert.Empty(record.Rounds);
        Assert.Empty(record.Validate());
        Assert.Equal(record.InitialPlan, record.PlanBefore(0));
    }
}
