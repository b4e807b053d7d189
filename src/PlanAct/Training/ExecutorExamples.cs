using PlanAct.Actions;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Training.Profiles;
using PlanAct.Trajectories;

namespace PlanAct.Training;

/// <summary>
/// Builds executor examples, one per step (SPEC §2.3), laid out by the options' profile from the executor's state at
/// that step: the task, the plan, the earlier rounds (page and action) and the current page; the target is the
/// ground-truth action with its comments. Each example keeps its step's <see cref="StepContext"/> (raw page, plan,
/// action), so <c>export</c> can lay it out again under another profile. A CoT variant builds the same example with
/// <see cref="BuildStep(PlannedTrajectory, int)"/> and adds the teacher's reasoning with <c>with { Reasoning = …, Teacher = …, Requests = … }</c>.
/// </summary>
internal sealed class ExecutorExamples(ExamplePageOptions options)
{
    private int _pagesCut;

    /// <summary>How many current-round pages were cut to fit the page budget so far.</summary>
    public int PagesCut => _pagesCut;

    public static string ExampleId(string trajectoryId, int step) => $"{trajectoryId}/executor/{step}";

    public static string DynamicExampleId(string trajectoryId, int step) => $"{trajectoryId}/dynamic-executor/{step}";

    /// <summary>The planact profile's system message: role, task and plan (training-target style, without grounding).</summary>
    public static string SystemMessage(string task, Plan plan) =>
        PromptProfile.PlanAct.Prompt(new ExecutorState(task, PlanText(plan), EquatableList<ExecutorRound>.Empty, "")).Messages[0].Content;

    /// <summary>One example per step of the trajectory, in step order.</summary>
    public IEnumerable<TrainingExample> Build(PlannedTrajectory item) =>
        item.Trajectory.Steps.Select(step => BuildStep(item, step.Index));

    /// <summary>
    /// Dynamic executor examples (SPEC §2.7), one per step in step order: the plan in force at step i is the latest
    /// plan before its action (the initial plan at step 0, then round i's replan); the rest is as in <see cref="Build(PlannedTrajectory)"/>.
    /// </summary>
    /// <param name="trajectory">The trajectory.</param>
    /// <param name="replans">Its replans (pages not needed).</param>
    public IEnumerable<TrainingExample> BuildDynamic(Trajectory trajectory, ReplanRecord replans) =>
        trajectory.Steps.Select(step => Build(
            trajectory, step.Index, replans.Id, i => replans.PlanBefore(i), AgentRole.DynamicExecutor, DynamicExampleId(trajectory.Id, step.Index)));

    /// <summary>The example whose target is the action of step <paramref name="step"/>.</summary>
    public TrainingExample BuildStep(PlannedTrajectory item, int step) =>
        Build(item.Trajectory, step, item.PlanId, _ => item.Plan, AgentRole.Executor, ExampleId(item.Trajectory.Id, step));

    private TrainingExample Build(Trajectory trajectory, int step, string planId, Func<int, Plan> planAt, AgentRole role, string id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(step, trajectory.Steps.Count);
        var steps = trajectory.Steps;
        var rounds = steps.Take(step).Select(s => new ExecutorRound(s.Html, ActionPrinter.Print(s.Action), Plan: PlanText(planAt(s.Index)))).ToEquatableList();
        var action = steps[step].Action;
        var state = new ExecutorState(trajectory.Task, PlanText(planAt(step)), rounds, steps[step].Html, role == AgentRole.DynamicExecutor)
        {
            TargetElement = action.Element,
            Grammar = action.Grammar,
        };
        var prompt = options.Profile.Prompt(state, options.Settings);
        if (prompt.PageCut)
        {
            Interlocked.Increment(ref _pagesCut);
        }

        var actionText = ActionPrinter.Print(action);
        var messages = prompt.Messages.Append(ExampleMessage.Assistant(options.Profile.Target(role, actionText, null))).ToEquatableList();
        return new TrainingExample(id, ExampleKind.Executor, trajectory.Site, trajectory.Task, messages, new ExampleSource(trajectory.Id, step, planId))
        {
            Context = new StepContext(role, state.Page, state.Plan, actionText),
            Reasoning = options.SourceReasoning ? steps[step].Reasoning : null,
        };
    }

    private static string PlanText(Plan plan) => Plans.PlanText.Format(plan, PlanTextStyle.Target).TrimEnd();
}
