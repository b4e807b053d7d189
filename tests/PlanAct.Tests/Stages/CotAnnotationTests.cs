using System.Text.Json;
using PlanAct.Loopback;
using PlanAct.Plans;
using PlanAct.Stages;
using PlanAct.Stages.Annotate;
using PlanAct.Trajectories;
using static PlanAct.Tests.Stages.AnnotateStageTests;

namespace PlanAct.Tests.Stages;

/// <summary>CoT annotation (describe, reduce, rewrite) through the runner against the loopback teacher, and its validators.</summary>
public class CotAnnotationTests
{
    private static readonly AnnotateOptions Cot = new() { Mode = AnnotateMode.Cot };

    private static readonly Plan Reduced = PlanText.Parse(ScriptedPlans.ValidPlan(3)).Plan!;

    private static Task<List<Trajectory>> SamplesAsync() =>
        TrajectoryFiles.ReadAsync(Path.Combine(TestPaths.Samples, "trajectories.jsonl"), new TrajectoryReadOptions()).ToListAsync().AsTask();

    [Fact]
    public async Task Every_action_is_described_then_reduced_then_rewritten_and_the_thinking_is_kept_apart()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedPlans.ValidCot(r));
        var dir = TestPaths.TempDir();
        var outPath = Path.Combine(dir, "plans.jsonl");

        var summary = await AnnotateAsync(Options(teacher, dir), outPath, annotate: Cot);

        var trajectories = await SamplesAsync();
        var actions = trajectories.Sum(t => t.Steps.Count);
        Assert.Equal(17, summary.Ok);
        Assert.Equal(actions + (2 * 17), teacher.Calls);
        Assert.Equal(actions, teacher.Received.Count(ScriptedPlans.IsDescribe));

        // The reduce request shows every action followed by its description.
        var reduce = teacher.Received.First(r => !ScriptedPlans.IsDescribe(r) && !ScriptedPlans.IsRewrite(r));
        Assert.Contains("> " + ScriptedPlans.Description, ScriptedPlans.Prompt(reduce), StringComparison.Ordinal);
        Assert.Contains("each followed by what it did", ScriptedPlans.Prompt(reduce), StringComparison.Ordinal);

        // The last action has no page after it; every other one shows the next page.
        var last = trajectories[0].Steps.Count - 1;
        Assert.Contains(teacher.Received, r => ScriptedPlans.IsDescribe(r) && ScriptedPlans.Prompt(r).Contains($"What did action {last} do?", StringComparison.Ordinal)
            && ScriptedPlans.Prompt(r).Contains("(none: this is the last action", StringComparison.Ordinal));

        var plans = await ReadPlansAsync(outPath);
        Assert.Equal(trajectories.Select(t => t.Id), plans.Select(p => p.Id));
        foreach (var (plan, trajectory) in plans.Zip(trajectories))
        {
            var reduced = PlanText.Parse(ScriptedPlans.ValidPlan(trajectory.Steps.Count)).Plan!;
            Assert.Empty(PlanValidator.ValidateGrounding(plan.Plan, 0, trajectory.Steps.Count));
            Assert.StartsWith("The task names what to find", plan.Reasoning, StringComparison.Ordinal);
            Assert.All(plan.Plan.Steps, s => Assert.Equal("Seen from the first page, this step comes next.", s.Reasoning));
            Assert.Equal(reduced.Steps.Select(s => (s.Step, s.Description, s.Actions)), plan.Plan.Steps.Select(s => (s.Step, s.Description, s.Actions)));
            Assert.Equal(trajectory.Steps.Count + 2, plan.Requests!.Count);
            Assert.Equal(PlanOrigin.Grounded, plan.Origin);
        }
    }

    [Fact]
    public async Task Batched_cot_runs_three_waves_and_gives_the_same_plans_as_online()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedPlans.ValidCot(r));
        var online = TestPaths.TempDir();
        var batched = TestPaths.TempDir();
        await AnnotateAsync(Options(teacher, online), Path.Combine(online, "plans.jsonl"), annotate: Cot);

        var summary = await AnnotateAsync(Options(teacher, batched), Path.Combine(batched, "plans.jsonl"), TeacherMode.Batch, annotate: Cot);

        Assert.True(summary.Complete);
        Assert.Equal(3, teacher.Batches.Count);
        var expected = (await ReadPlansAsync(Path.Combine(online, "plans.jsonl"))).Select(p => p with { Requests = null });
        var actual = (await ReadPlansAsync(Path.Combine(batched, "plans.jsonl"))).Select(p => p with { Requests = null });
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task A_rewrite_that_changes_a_step_is_reasked_with_the_exact_error()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) =>
            ScriptedPlans.IsRewrite(r) && !ScriptedPlans.IsReask(r)
                ? new LoopbackReply.Answer(ScriptedPlans.Rewrite(r).Replace("Step: Start the task.", "Step: Search for the answer.", StringComparison.Ordinal))
                : ScriptedPlans.ValidCot(r));
        var dir = TestPaths.TempDir();

        var summary = await AnnotateAsync(Options(teacher, dir), Path.Combine(dir, "plans.jsonl"), annotate: Cot);

        Assert.Equal(17, summary.Ok);
        var reask = teacher.Received.First(r => ScriptedPlans.IsRewrite(r) && ScriptedPlans.IsReask(r));
        Assert.Contains("Step 1's 'Step:' line must stay as it was: \"Start the task.\"", reask.LastUserMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_description_that_never_comes_quarantines_the_trajectory_with_the_action_named()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) =>
            ScriptedPlans.IsDescribe(r) && ScriptedPlans.Prompt(r).Contains("What did action 1 do?", StringComparison.Ordinal)
                ? new LoopbackReply.Answer("   ")
                : ScriptedPlans.ValidCot(r));
        var dir = TestPaths.TempDir();
        var outPath = Path.Combine(dir, "plans.jsonl");

        var summary = await AnnotateAsync(Options(teacher, dir), outPath, annotate: Cot);

        var withTwoActions = (await SamplesAsync()).Count(t => t.Steps.Count > 1);
        Assert.Equal(withTwoActions, summary.Quarantined);
        Assert.Equal(17 - withTwoActions, summary.Ok);
        var line = (await File.ReadAllLinesAsync(QuarantineFile.PathBeside(outPath)))[0];
        using var record = JsonDocument.Parse(line);
        Assert.StartsWith("describing action 1: The answer is empty", record.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, record.RootElement.GetProperty("attempts").GetArrayLength());
    }

    [Theory]
    [InlineData("", "The answer is empty")]
    [InlineData("  \n ", "The answer is empty")]
    [InlineData("## What happened\nThe agent clicked.", "without headings")]
    [InlineData("The agent clicked.\n# Result\nNothing.", "without headings")]
    public void Unusable_descriptions_are_rejected(string answer, string error) =>
        Assert.Contains(error, CotAnnotation.CheckDescription(answer).Error, StringComparison.Ordinal);

    [Fact]
    public void A_description_is_kept_on_one_line_and_a_long_one_is_rejected()
    {
        Assert.Equal("The agent typed the term. The results appeared.", CotAnnotation.CheckDescription("  The agent typed the term.\n\nThe results   appeared.\n").Value);
        Assert.Contains("one or two sentences", CotAnnotation.CheckDescription(new string('x', CotAnnotation.MaxDescriptionLength + 1)).Error, StringComparison.Ordinal);
        Assert.Null(CotAnnotation.CheckDescription(new string('x', CotAnnotation.MaxDescriptionLength)).Error);
    }

    [Fact]
    public void A_rewrite_keeps_grounding_and_descriptions_and_replaces_the_reasoning()
    {
        var answer = "## **Thinking**\n"
            + "The first page has a search box.\n\n## Step 1\nReasoning: Begin on the first page.\nStep: start the  task.\n\n## Step 2\nReasoning: Then finish.\nStep: Finish the task.\n";

        var result = CotAnnotation.CheckRewrite(answer, Reduced);

        Assert.Null(result.Error);
        Assert.Equal("The first page has a search box.", result.Value!.Thinking);
        Assert.Equal(["Begin on the first page.", "Then finish."], result.Value.Plan.Steps.Select(s => s.Reasoning));
        Assert.Equal(Reduced.Steps.Select(s => (s.Step, s.Description, s.Actions)), result.Value.Plan.Steps.Select(s => (s.Step, s.Description, s.Actions)));
    }

    [Theory]
    [InlineData("## Step 1\nReasoning: a\nStep: Start the task.\n", "Start with the heading '## Thinking'")]
    [InlineData("## Step 1\nReasoning: a\nStep: Start the task.\n## Thinking\nlate", "Start with the heading '## Thinking'")]
    [InlineData("## Thinking\n\n## Step 1\nReasoning: a\nStep: Start the task.\n## Step 2\nReasoning: b\nStep: Finish the task.", "section is empty")]
    [InlineData("## Thinking\nSome thought.", "No '## Step N' blocks")]
    [InlineData("## Thinking\nt\n## Step 1\nReasoning: a\nStep: Start the task.\n", "must keep its 2 steps; the answer has 1")]
    [InlineData("## Thinking\nt\n## Step 1\nReasoning: a\nStep: Start the task.\n## Step 2\nReasoning: b\nStep: Finish quickly.", "Step 2's 'Step:' line must stay as it was")]
    [InlineData("## Thinking\nActions [0] open it.\n## Step 1\nReasoning: a\nStep: Start the task.\n## Step 2\nReasoning: b\nStep: Finish the task.", "action numbers")]
    [InlineData("## Thinking\nt\n## Step 1\nReasoning: After action 3 we know.\nStep: Start the task.\n## Step 2\nReasoning: b\nStep: Finish the task.", "action numbers")]
    public void Bad_rewrites_are_rejected_with_an_error_the_teacher_can_act_on(string answer, string error) =>
        Assert.Contains(error, CotAnnotation.CheckRewrite(answer, PlanText.Parse(ScriptedPlans.ValidPlan(2)).Plan!).Error, StringComparison.Ordinal);
}
