using System.Text.Json;
using PlanAct.Actions;
using PlanAct.IO;
using PlanAct.Loopback;
using PlanAct.Plans;
using PlanAct.Stages;
using PlanAct.Stages.Act;
using PlanAct.Teacher;
using PlanAct.Tests.Training;
using PlanAct.Training;
using static PlanAct.Tests.Stages.AnnotateStageTests;

namespace PlanAct.Tests.Stages;

/// <summary>CoT executor data (<c>act --cot</c>) through the runner against the loopback teacher, and its validator.</summary>
public class ExecutorReasoningStageTests
{
    private static readonly WebAction Click = ActionParser.Parse("# Element: the search box\ndo(action=\"Click\", element=\"12\")");

    private static async Task<StageSummary> ActAsync(LoopbackTeacher teacher, string dir, string outPath, TeacherMode mode = TeacherMode.Online)
    {
        var trajectories = await TestPlans.SampleTrajectoriesAsync();
        var plans = await TestPlans.WriteAsync(Path.Combine(dir, "plans.jsonl"), trajectories.Select(TestPlans.For));
        var pairing = await PlanPairing.LoadPlansAsync(plans, new ProblemLog());
        var options = Options(teacher, dir);
        await using var session = await TeacherSession.OpenAsync(options, null);
        var stage = new ExecutorReasoningStage("act", session.ModelFor("act"));
        var builder = new ExecutorExamples(new ExamplePageOptions());
        return await new StageRunner<ExecutorStep, TrainingExample>(stage, session).RunAsync(
            () => pairing.PairPlansAsync(trajectories.ToAsyncEnumerable(), "samples", new ProblemLog())
                .SelectMany(item => builder.Build(item).Select(e => new ExecutorStep(item.Trajectory, e)).ToAsyncEnumerable()),
            outPath,
            mode,
            mode == TeacherMode.Batch ? session.CreateBatchRunner(FastBatches) : null);
    }

    [Fact]
    public async Task Every_step_gets_the_teachers_reasoning_beside_the_ground_truth_target()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedExecutor.Valid(r));
        var dir = TestPaths.TempDir();
        var outPath = Path.Combine(dir, "executor.jsonl");

        var summary = await ActAsync(teacher, dir, outPath);

        var trajectories = await TestPlans.SampleTrajectoriesAsync();
        var steps = trajectories.Sum(t => t.Steps.Count);
        Assert.Equal(steps, summary.Ok);
        Assert.Equal(steps, teacher.Calls);
        var examples = await ExampleJsonl.ReadAsync(outPath, new ProblemLog()).ToListAsync();
        Assert.Equal(trajectories.SelectMany(t => t.Steps.Select(s => ExecutorExamples.ExampleId(t.Id, s.Index))), examples.Select(e => e.Id));
        var builder = new ExecutorExamples(new ExamplePageOptions());
        foreach (var example in examples)
        {
            var trajectory = trajectories.Single(t => t.Id == example.Source.Trajectory);
            Assert.Empty(ExampleValidator.Validate(example));
            Assert.Equal(ScriptedExecutor.Reasoning, example.Reasoning);
            Assert.Equal("loopback-model", example.Teacher);
            Assert.Single(example.Requests!);

            // The example is exactly the plain executor example, reasoning aside.
            var plain = builder.BuildStep(new PlannedTrajectory(trajectory, trajectory.Id, TestPlans.For(trajectory).Plan), example.Source.Step!.Value);
            Assert.Equal(plain, example with { Reasoning = null, Teacher = null, Requests = null });
        }

        // The teacher saw the earlier actions and the action taken; the first step has no history.
        var first = teacher.Received.First(r => ScriptedExecutor.StepOf(r) == 0);
        Assert.Contains("(none: this is the first action)", ScriptedPlans.Prompt(first), StringComparison.Ordinal);
        var third = teacher.Received.First(r => ScriptedExecutor.StepOf(r) == 2);
        Assert.Contains("\n1:\n", ScriptedPlans.Prompt(third), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_different_action_is_reasked_with_the_difference_and_then_quarantined()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedExecutor.StepOf(r) switch
        {
            0 when !ScriptedPlans.IsReask(r) => new LoopbackReply.Answer(ScriptedExecutor.Answer("go_backward()")),
            1 => new LoopbackReply.Answer(ScriptedExecutor.Answer("do(action=\"Wait\")")),
            _ => ScriptedExecutor.Valid(r),
        });
        var dir = TestPaths.TempDir();
        var outPath = Path.Combine(dir, "executor.jsonl");

        var summary = await ActAsync(teacher, dir, outPath);

        var trajectories = await TestPlans.SampleTrajectoriesAsync();
        var withSecondStep = trajectories.Count(t => t.Steps.Count > 1);
        Assert.Equal(withSecondStep, summary.Quarantined);
        var reask = teacher.Received.First(r => ScriptedExecutor.StepOf(r) == 0 && ScriptedPlans.IsReask(r));
        var expected = ActionPrinter.PrintCall(trajectories[0].Steps[0].Action);
        Assert.Contains($"The action must be the one that was taken, {expected}; the answer has go_backward().", reask.LastUserMessage, StringComparison.Ordinal);
        var quarantined = await File.ReadAllLinesAsync(QuarantineFile.PathBeside(outPath));
        using var record = JsonDocument.Parse(quarantined[0]);
        Assert.Equal(ExecutorExamples.ExampleId(trajectories[0].Id, 1), record.RootElement.GetProperty("id").GetString());
        Assert.Contains("the answer has do(action=\"Wait\")", record.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batched_cot_act_gives_the_same_examples_as_online()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedExecutor.Valid(r));
        var online = TestPaths.TempDir();
        var batched = TestPaths.TempDir();
        await ActAsync(teacher, online, Path.Combine(online, "executor.jsonl"));

        var summary = await ActAsync(teacher, batched, Path.Combine(batched, "executor.jsonl"), TeacherMode.Batch);

        Assert.True(summary.Complete);
        Assert.Single(teacher.Batches);
        Assert.Equal(
            (await ExampleJsonl.ReadAsync(Path.Combine(online, "executor.jsonl"), new ProblemLog()).ToListAsync()).Select(e => e with { Requests = null }),
            (await ExampleJsonl.ReadAsync(Path.Combine(batched, "executor.jsonl"), new ProblemLog()).ToListAsync()).Select(e => e with { Requests = null }));
    }

    [Theory]
    [InlineData("## Reasoning\nThe search box is where the query goes.\n\n## Action\ndo(action=\"Click\", element=\"12\")")]
    [InlineData("**Reasoning:**\nThe search box is where the query goes.\n**Action:**\n```python\n# Element: search\ndo(action='Click', element='12')\n```\n")]
    [InlineData("### reasoning\nThe search box is where the query goes.\n### ACTION\n# Note: different comment\ndo(action=\"Click\",element=\"12\")")]
    public void The_same_call_is_accepted_whatever_its_comments_quoting_and_headers(string answer) =>
        Assert.Equal("The search box is where the query goes.", ExecutorReasoningStage.Check(answer, Click).Value);

    [Theory]
    [InlineData("do(action=\"Click\", element=\"12\")", "Answer with '## Reasoning'")]
    [InlineData("## Action\ndo(action=\"Click\", element=\"12\")\n## Reasoning\nwhy", "Answer with '## Reasoning'")]
    [InlineData("## Reasoning\n\n## Action\ndo(action=\"Click\", element=\"12\")", "section is empty")]
    [InlineData("## Reasoning\nThe ground truth says click.\n## Action\ndo(action=\"Click\", element=\"12\")", "do not mention a ground truth")]
    [InlineData("## Reasoning\nwhy\n## Action\nclick the box", "cannot be read")]
    [InlineData("## Reasoning\nwhy\n## Action\ndo(action=\"Click\", element=\"13\")", "the answer has do(action=\"Click\", element=\"13\")")]
    [InlineData("## Reasoning\nwhy\n## Action\ndo(action=\"Hover\", element=\"12\")", "The action must be the one that was taken, do(action=\"Click\", element=\"12\")")]
    public void Answers_without_the_known_action_are_rejected(string answer, string error) =>
        Assert.Contains(error, ExecutorReasoningStage.Check(answer, Click).Error, StringComparison.Ordinal);
}
