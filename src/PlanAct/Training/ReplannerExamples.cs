using System.Globalization;
using PlanAct.Actions;
using PlanAct.Html;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Trajectories;

namespace PlanAct.Training;

/// <summary>
/// Turns replan records into replanner examples, one per round r (SPEC §2.6): the replanner's role, format and task;
/// the earlier rounds as turns whose page is the placeholder and whose answer is the plan written then (the initial plan
/// for round 0); the last turn with the action just taken and the planner view of the current page; as target the new
/// plan with only <c>## Step N</c> / <c>Reasoning:</c> / <c>Step:</c>. A round's trace (CoT) becomes the example's reasoning.
/// </summary>
public sealed class ReplannerExamples(ExamplePageOptions options)
{
    /// <summary>What the first turn says: nothing has been done yet.</summary>
    public const string NothingTaken = "No action has been taken yet.";

    private static readonly PromptTemplate System = PromptTemplate.Load(typeof(ReplannerExamples), "ReplannerSystem.md");
    private static readonly PromptTemplate Turn = PromptTemplate.Load(typeof(ReplannerExamples), "ReplannerTurn.md");

    private int _pagesCut;

    /// <summary>How many current pages were cut to fit <see cref="ExamplePageOptions.MaxPageTokens"/> so far.</summary>
    public int PagesCut => _pagesCut;

    public static string ExampleId(string trajectoryId, int round) => $"{trajectoryId}/replanner/{round.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The user turn of round <paramref name="round"/>: the action taken since the round before (none at round 0) and the page.</summary>
    public static string UserTurn(ReplanRecord record, int round, string page) => Turn.Fill(
        ("taken", round == 0 ? NothingTaken : "Action taken:\n" + ActionPrinter.PrintNumbered([record.Actions[round - 1]], round - 1)),
        ("page", page));

    /// <summary>One example per round, in round order.</summary>
    public IEnumerable<TrainingExample> Build(ReplanRecord record)
    {
        var system = ExampleMessage.System(System.Fill(("task", record.Task)));
        foreach (var round in record.Rounds)
        {
            var messages = new List<ExampleMessage>((2 * round.Round) + 3) { system };
            for (var k = 0; k < round.Round; k++)
            {
                messages.Add(ExampleMessage.User(UserTurn(record, k, SftPrompt.HtmlPlaceholder)));
                messages.Add(ExampleMessage.Assistant(Target(record.PlanBefore(k))));
            }

            var page = options.Fit(round.Html, PageView.Planner);
            if (page.Truncated)
            {
                Interlocked.Increment(ref _pagesCut);
            }

            messages.Add(ExampleMessage.User(UserTurn(record, round.Round, page.Shown)));
            messages.Add(ExampleMessage.Assistant(Target(round.Plan)));
            yield return new TrainingExample(
                ExampleId(record.Id, round.Round), ExampleKind.Replanner, record.Site, record.Task, messages.ToEquatableList(),
                new ExampleSource(record.Id, round.Round, record.Id))
            {
                Reasoning = round.Trace,
                Teacher = record.Teacher,
                Requests = round.Requests,
            };
        }
    }

    private static string Target(Plan plan) => PlanText.Format(plan, PlanTextStyle.Target).TrimEnd();
}
