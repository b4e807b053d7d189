using PlanAct.Html;
using PlanAct.IO;
using PlanAct.Plans;

namespace PlanAct.Training;

/// <summary>
/// Turns plan records into planner examples: the planner's role and answer format, then the task and the planner view
/// of the first page, and as target the plan with only <c>## Step N</c> / <c>Reasoning:</c> / <c>Step:</c>.
/// The plan's trace (CoT annotation) becomes the example's reasoning.
/// </summary>
public sealed class PlannerExamples(ExamplePageOptions options)
{
    private static readonly PromptTemplate System = PromptTemplate.Load(typeof(PlannerExamples), "PlannerSystem.md");
    private static readonly PromptTemplate User = PromptTemplate.Load(typeof(PlannerExamples), "PlannerUser.md");

    private int _pagesCut;

    /// <summary>How many first pages were cut to fit <see cref="ExamplePageOptions.MaxPageTokens"/> so far.</summary>
    public int PagesCut => _pagesCut;

    public static string ExampleId(string planId) => $"{planId}/planner";

    public TrainingExample Build(PlanRecord plan)
    {
        var page = options.Fit(plan.InitialHtml, PageView.Planner);
        if (page.Truncated)
        {
            Interlocked.Increment(ref _pagesCut);
        }

        var messages = EquatableList.Of(
            ExampleMessage.System(System.Fill()),
            ExampleMessage.User(User.Fill(("task", plan.Task), ("page", page.Html))),
            ExampleMessage.Assistant(PlanText.Format(plan.Plan, PlanTextStyle.Target).TrimEnd()));
        var source = new ExampleSource(plan.Origin == PlanOrigin.Grounded ? plan.Id : null, Plan: plan.Id);
        return new TrainingExample(ExampleId(plan.Id), ExampleKind.Planner, plan.Site, plan.Task, messages, source)
        {
            Reasoning = plan.Trace,
            Teacher = plan.Teacher,
            Requests = plan.Requests,
        };
    }
}
