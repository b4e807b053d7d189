using PlanAct.Actions;
using PlanAct.Html;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Training;
using PlanAct.Trajectories;

namespace PlanAct.Stages.Act;

/// <summary>
/// Builds executor examples, one per step (SPEC §2.3): the system message states the executor's role, the task and the
/// global plan; earlier rounds are user/assistant pairs whose page is the placeholder <see cref="SftPrompt.HtmlPlaceholder"/>
/// and whose answer is the action as it was taken; the current round shows the executor view of the page, cut to the
/// token budget; the target is the ground-truth action with its comments. A CoT variant builds the same example with
/// <see cref="BuildStep(PlannedTrajectory, int)"/> and adds the teacher's reasoning with <c>with { Reasoning = …, Teacher = …, Requests = … }</c>.
/// </summary>
public sealed class ExecutorExamples(ExamplePageOptions options)
{
    private static readonly PromptTemplate System = PromptTemplate.Load(typeof(ExecutorExamples), "ExecutorSystem.md");

    private int _pagesCut;

    /// <summary>How many current-round pages were cut to fit <see cref="ExamplePageOptions.MaxPageTokens"/> so far.</summary>
    public int PagesCut => _pagesCut;

    public static string ExampleId(string trajectoryId, int step) => $"{trajectoryId}/executor/{step}";

    public static string DynamicExampleId(string trajectoryId, int step) => $"{trajectoryId}/dynamic-executor/{step}";

    /// <summary>The system message: role, task and plan (training-target style, without grounding).</summary>
    public static string SystemMessage(string task, Plan plan) =>
        System.Fill(("task", task), ("plan", PlanText.Format(plan, PlanTextStyle.Target).TrimEnd()));

    /// <summary>One example per step of the trajectory, in step order.</summary>
    public IEnumerable<TrainingExample> Build(PlannedTrajectory item)
    {
        var system = ExampleMessage.System(SystemMessage(item.Trajectory.Task, item.Plan));
        return item.Trajectory.Steps.Select(step => BuildStep(item, step.Index, system));
    }

    /// <summary>
    /// Dynamic executor examples (SPEC §2.7), one per step in step order: the plan in the system message is the latest
    /// plan before the step's action (the initial plan at step 0, then round i's replan); the rest is as in <see cref="Build"/>.
    /// </summary>
    /// <param name="trajectory">The trajectory.</param>
    /// <param name="replans">Its replans (pages not needed).</param>
    public IEnumerable<TrainingExample> BuildDynamic(Trajectory trajectory, ReplanRecord replans) =>
        trajectory.Steps.Select(step =>
            BuildStep(new PlannedTrajectory(trajectory, replans.Id, replans.PlanBefore(step.Index)), step.Index) with { Id = DynamicExampleId(trajectory.Id, step.Index) });

    /// <summary>The example whose target is the action of step <paramref name="step"/>.</summary>
    public TrainingExample BuildStep(PlannedTrajectory item, int step) =>
        BuildStep(item, step, ExampleMessage.System(SystemMessage(item.Trajectory.Task, item.Plan)));

    private TrainingExample BuildStep(PlannedTrajectory item, int step, ExampleMessage system)
    {
        var trajectory = item.Trajectory;
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(step, trajectory.Steps.Count);
        var messages = new List<ExampleMessage>((2 * step) + 3) { system };
        for (var i = 0; i < step; i++)
        {
            messages.Add(ExampleMessage.User(SftPrompt.HtmlPlaceholder));
            messages.Add(ExampleMessage.Assistant(ActionPrinter.Print(trajectory.Steps[i].Action)));
        }

        var page = options.Fit(trajectory.Steps[step].Html, PageView.Executor);
        if (page.Truncated)
        {
            Interlocked.Increment(ref _pagesCut);
        }

        messages.Add(ExampleMessage.User(page.Shown));
        messages.Add(ExampleMessage.Assistant(ActionPrinter.Print(trajectory.Steps[step].Action)));
        return new TrainingExample(
            ExampleId(trajectory.Id, step), ExampleKind.Executor, trajectory.Site, trajectory.Task, messages.ToEquatableList(),
            new ExampleSource(trajectory.Id, step, item.PlanId));
    }
}
