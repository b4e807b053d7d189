using PlanAct.Actions;
using PlanAct.Html;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Stages.Act;
using PlanAct.Tests.Training;
using PlanAct.Text;
using PlanAct.Training;
using PlanAct.Trajectories;

namespace PlanAct.Tests.Stages;

public class ExecutorExamplesTests
{
    private static async Task<(List<PlannedTrajectory> Planned, TrajectoryPairing<Plan> Pairing, ProblemLog Problems)> PairAsync(
        IEnumerable<Trajectory> trajectories, IEnumerable<PlanRecord> plans, bool skipInvalid = false)
    {
        var path = await TestPlans.WriteAsync(Path.Combine(TestPaths.TempDir(), "plans.jsonl"), plans);
        var problems = new ProblemLog(skipInvalid);
        var pairing = await PlanPairing.LoadPlansAsync(path, problems);
        var planned = await pairing.PairPlansAsync(trajectories.ToAsyncEnumerable(), "trajectories.jsonl", problems).ToListAsync();
        return (planned, pairing, problems);
    }

    [Fact]
    public async Task One_example_per_step_with_the_ground_truth_action_as_target()
    {
        var trajectories = await TestPlans.SampleTrajectoriesAsync();
        var (planned, _, problems) = await PairAsync(trajectories, trajectories.Select(TestPlans.For));
        Assert.Empty(problems.Problems);
        var builder = new ExecutorExamples(new ExamplePageOptions());
        foreach (var item in planned)
        {
            var trajectory = item.Trajectory;
            var examples = builder.Build(item).ToList();
            Assert.Equal(trajectory.Steps.Count, examples.Count);
            var system = ExecutorExamples.SystemMessage(trajectory.Task, item.Plan);
            Assert.Contains($"Task: {trajectory.Task}\n", system, StringComparison.Ordinal);
            Assert.EndsWith(PlanText.Format(item.Plan, PlanTextStyle.Target).TrimEnd(), system, StringComparison.Ordinal);
            Assert.DoesNotContain("Actions: [", system, StringComparison.Ordinal);
            for (var step = 0; step < examples.Count; step++)
            {
                var example = examples[step];
                Assert.Empty(ExampleValidator.Validate(example));
                Assert.Equal($"{trajectory.Id}/executor/{step}", example.Id);
                Assert.Equal(new ExampleSource(trajectory.Id, step, trajectory.Id), example.Source);
                Assert.Equal((ExampleKind.Executor, trajectory.Site, trajectory.Task), (example.Kind, example.Site, example.Task));
                Assert.Equal(2 * step + 3, example.Messages.Count);
                Assert.Equal(ExampleMessage.System(system), example.Messages[0]);

                // Earlier rounds: placeholder page, the action as it was taken.
                for (var i = 0; i < step; i++)
                {
                    Assert.Equal(ExampleMessage.User(SftPrompt.HtmlPlaceholder), example.Messages[1 + (2 * i)]);
                    Assert.Equal(trajectory.Steps[i].Action, ActionParser.Parse(example.Messages[2 + (2 * i)].Content));
                }

                // Current round: the executor view of this step's page; target: the ground-truth action with its comments.
                Assert.Equal(PageView.Render(trajectory.Steps[step].Html, PageView.Executor), example.Messages[^2].Content);
                Assert.Equal(trajectory.Steps[step].Action, ActionParser.Parse(example.Target.Content));
                Assert.Equal(ActionPrinter.Print(trajectory.Steps[step].Action), example.Target.Content);
                Assert.Equal(example, builder.BuildStep(item, step));
            }
        }

        Assert.Equal(trajectories.Sum(t => t.Steps.Count), planned.Sum(p => builder.Build(p).Count()));
        Assert.Equal(0, builder.PagesCut);
    }

    [Fact]
    public async Task Executor_page_keeps_ids_and_is_cut_to_the_budget()
    {
        var trajectory = (await TestPlans.SampleTrajectoriesAsync())[0];
        var (planned, _, _) = await PairAsync([trajectory], [TestPlans.For(trajectory)]);
        var builder = new ExecutorExamples(new ExamplePageOptions { MaxPageTokens = 50 });
        var first = builder.BuildStep(planned[0], 0);
        Assert.Contains("id=\"5\"", new ExecutorExamples(new ExamplePageOptions()).BuildStep(planned[0], 0).Messages[^2].Content, StringComparison.Ordinal);
        Assert.InRange(TokenCounter.O200k.Count(first.Messages[^2].Content), 1, 50);
        Assert.Equal(1, builder.PagesCut);
    }

    [Fact]
    public async Task Pairing_lists_trajectories_without_plan_and_plans_without_trajectory()
    {
        var trajectories = (await TestPlans.SampleTrajectoriesAsync()).Take(3).ToList();
        var orphan = TestPlans.For(trajectories[0]) with { Id = "no-such-trajectory" };
        var (planned, pairing, problems) = await PairAsync(trajectories, [TestPlans.For(trajectories[1]), orphan]);
        Assert.Equal(trajectories[1].Id, Assert.Single(planned).Trajectory.Id);
        Assert.Equal([trajectories[0].Id, trajectories[2].Id], pairing.TrajectoriesWithoutRecord);
        Assert.Equal(["no-such-trajectory"], pairing.RecordsWithoutTrajectory);
        Assert.Equal(0, problems.ErrorCount);
        Assert.Contains(problems.Problems, p => p.Reason == "plan \"no-such-trajectory\" has no trajectory" && p.Location.Line == 2);
        Assert.Contains(problems.Problems, p => p.Reason == $"trajectory \"{trajectories[2].Id}\" has no plan; skipped");
    }

    [Fact]
    public async Task A_plan_that_does_not_ground_its_trajectory_is_an_error_at_its_line()
    {
        var trajectories = (await TestPlans.SampleTrajectoriesAsync()).Take(2).ToList();
        var good = TestPlans.For(trajectories[0]);
        var shortPlan = TestPlans.For(trajectories[1]);
        shortPlan = shortPlan with { Plan = new Plan(shortPlan.Plan.Steps.Take(1).ToEquatableList()) };

        var e = await Assert.ThrowsAsync<InputException>(() => PairAsync(trajectories, [good, shortPlan]));
        Assert.Equal(2, e.Location.Line);
        Assert.Contains($"plan \"{trajectories[1].Id}\" does not fit its trajectory", e.Reason, StringComparison.Ordinal);
        Assert.Contains("not assigned to any step", e.Reason, StringComparison.Ordinal);

        var (planned, _, problems) = await PairAsync(trajectories, [good, shortPlan], skipInvalid: true);
        Assert.Equal(trajectories[0].Id, Assert.Single(planned).Trajectory.Id);
        Assert.Equal(1, problems.ErrorCount);
    }
}
