using System.Globalization;
using PlanAct.Actions;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Plans.Hindsight;
using PlanAct.Training.Profiles;

namespace PlanAct.Training;

/// <summary>
/// Turns replan records into replanner examples, one per round r (SPEC §2.6), laid out by the options' profile from
/// the replanner's state at that round (the task, the plan before it, the actions taken, the current page and the
/// plans written at earlier rounds); as target the new plan with only <c>## Step N</c> / <c>Reasoning:</c> / <c>Step:</c>.
/// A round's trace (CoT) becomes the example's reasoning.
/// </summary>
/// <param name="options">The profile and page budget.</param>
/// <param name="refusals">Where the profile's refusals go.</param>
/// <param name="hindsight">The hindsight check of export (null: none); a round it does not admit makes no example.</param>
internal sealed class ReplannerExamples(ExamplePageOptions options, ExampleRefusals? refusals = null, HindsightScreen? hindsight = null)
{
    /// <summary>What the planact profile's first turn says: nothing has been done yet.</summary>
    public const string NothingTaken = "No action has been taken yet.";

    private int _pagesCut;

    /// <summary>How many current pages were cut to fit the page budget so far.</summary>
    public int PagesCut => _pagesCut;

    public static string ExampleId(string trajectoryId, int round) => $"{trajectoryId}/replanner/{round.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The replanner's state at <paramref name="round"/>: what it knows when it writes that round's plan.</summary>
    public static ReplannerState State(ReplanRecord record, ReplanRound round) =>
        new(record.Task, Text(record.PlanBefore(round.Round - 1)), record.Actions.Take(round.Round).Select(ActionPrinter.Print).ToEquatableList(), round.Html)
        {
            Plans = Enumerable.Range(0, round.Round).Select(k => Text(record.PlanBefore(k))).ToEquatableList(),
            Grammar = record.Actions.Count > 0 ? record.Actions[0].Grammar : ActionGrammar.WebRl,
        };

    /// <summary>
    /// One example per round, in round order; rounds the profile refuses (the reason is in the refusals) or the hindsight
    /// check does not admit are left out. The record has no first page: the check counts it as unseen, never as known.
    /// </summary>
    public IEnumerable<TrainingExample> Build(ReplanRecord record)
    {
        var profile = options.Profile;
        var seen = hindsight is null ? null : new TrajectoryHindsight(record.Task, ["", .. record.Rounds.Select(r => r.Html)], record.Actions);
        foreach (var round in record.Rounds)
        {
            var id = ExampleId(record.Id, round.Round);
            if (profile.TargetNeedsReasoning(AgentRole.Replanner) && string.IsNullOrWhiteSpace(round.Reasoning))
            {
                refusals?.Add(id, ExampleRefusals.NoReasoning(profile, "planact replan --cot", round.AnnotationTrace is not null));
                continue;
            }

            if (seen is not null && !hindsight!.Admits(id, ExampleKind.Replanner, seen.At(round.Round), round.Plan, round.Reasoning, profile))
            {
                continue;
            }

            var prompt = profile.Prompt(State(record, round), options.Settings);
            if (prompt.PageCut)
            {
                Interlocked.Increment(ref _pagesCut);
            }

            var target = ExampleMessage.Assistant(profile.Target(AgentRole.Replanner, Text(round.Plan), round.Reasoning));
            yield return new TrainingExample(
                id, ExampleKind.Replanner, record.Site, record.Task, prompt.Messages.Append(target).ToEquatableList(),
                new ExampleSource(record.Id, round.Round, record.Id))
            {
                Reasoning = round.Reasoning,
                Teacher = record.Teacher,
                Requests = round.Requests,
            };
        }
    }

    private static string Text(Plan plan) => PlanText.Format(plan, PlanTextStyle.Target).TrimEnd();
}
