using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Training.Profiles;

namespace PlanAct.Training;

/// <summary>
/// Turns plan records into planner examples laid out by the options' profile: the prompt built from the task and the
/// first page, and as target the plan with only <c>## Step N</c> / <c>Reasoning:</c> / <c>Step:</c>. The plan's
/// <see cref="PlanRecord.Reasoning"/> (written without hindsight) becomes the example's reasoning, never its annotation
/// trace; a profile whose target shows reasoning refuses plans without one.
/// </summary>
/// <param name="options">The profile and page budget.</param>
/// <param name="refusals">Where the profile's refusals go.</param>
/// <param name="hindsight">The hindsight check of export (null: none); a plan it does not admit makes no example.</param>
internal sealed class PlannerExamples(ExamplePageOptions options, ExampleRefusals? refusals = null, HindsightScreen? hindsight = null)
{
    private int _pagesCut;

    /// <summary>How many first pages were cut to fit the page budget so far.</summary>
    public int PagesCut => _pagesCut;

    public static string ExampleId(string planId) => $"{planId}/planner";

    /// <summary>The command that writes plan records of <paramref name="origin"/> with reasoning.</summary>
    private static string? ReasoningCommand(string origin) => origin switch
    {
        PlanOrigin.Grounded => "planact annotate --mode cot",
        PlanOrigin.Synthetic => "planact expand --cot",
        PlanOrigin.Targeted => "planact augment --cot",
        _ => null,
    };

    /// <summary>The planner's state for a plan record: what a planner knows when it writes this plan.</summary>
    public static PlannerState State(PlanRecord plan) => new(plan.Task, plan.InitialHtml);

    /// <summary>The example.</summary>
    /// <exception cref="InvalidOperationException">The profile refuses the plan (see <see cref="TryBuild"/>).</exception>
    public TrainingExample Build(PlanRecord plan) =>
        TryBuild(plan) ?? throw new InvalidOperationException($"the {options.Profile.Name} profile cannot make a planner example of plan \"{plan.Id}\"");

    /// <summary>The example, or null when the profile refuses it (the reason is in the refusals) or the hindsight check leaves it out.</summary>
    public TrainingExample? TryBuild(PlanRecord plan)
    {
        var profile = options.Profile;
        if (profile.TargetNeedsReasoning(AgentRole.Planner) && string.IsNullOrWhiteSpace(plan.Reasoning))
        {
            refusals?.Add(ExampleId(plan.Id), ExampleRefusals.NoReasoning(profile, ReasoningCommand(plan.Origin), plan.AnnotationTrace is not null));
            return null;
        }

        if (hindsight?.Admits(ExampleId(plan.Id), ExampleKind.Planner, HindsightScreen.Planner(plan), plan.Plan, plan.Reasoning, profile, plan.Origin == PlanOrigin.Grounded ? plan.Id : null) == false)
        {
            return null;
        }

        var prompt = profile.Prompt(State(plan), options.Settings);
        if (prompt.PageCut)
        {
            Interlocked.Increment(ref _pagesCut);
        }

        var target = profile.Target(AgentRole.Planner, PlanText.Format(plan.Plan, PlanTextStyle.Target).TrimEnd(), plan.Reasoning);
        var source = new ExampleSource(plan.Origin == PlanOrigin.Grounded ? plan.Id : null, Plan: plan.Id);
        return new TrainingExample(ExampleId(plan.Id), ExampleKind.Planner, plan.Site, plan.Task, prompt.Messages.Append(ExampleMessage.Assistant(target)).ToEquatableList(), source)
        {
            Reasoning = plan.Reasoning,
            Teacher = plan.Teacher,
            Requests = plan.Requests,
            SplitGroup = plan.InitialHtmlFrom,
        };
    }
}
