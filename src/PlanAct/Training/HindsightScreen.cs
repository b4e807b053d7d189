using System.Collections.Concurrent;
using PlanAct.Html;
using PlanAct.Plans;
using PlanAct.Plans.Hindsight;
using PlanAct.Training.Profiles;

namespace PlanAct.Training;

/// <summary>An example whose target names a value its model could not have known, and that finding.</summary>
internal sealed record HindsightFlag(string Id, ExampleKind Kind, HindsightFinding Finding);

/// <summary>
/// The hindsight check of export: planner and replanner examples whose target (and reasoning, when it is exported)
/// names a value that only later pages, notes or the final answer showed are left out, or kept when
/// <paramref name="allow"/>; either way every finding is listed.
/// </summary>
/// <param name="allow">Keep flagged examples (<c>--allow-hindsight</c>).</param>
/// <param name="withReasoning">Reasoning kept apart from the target is exported too (<c>--with-reasoning</c>), so it is checked.</param>
/// <param name="trajectories">What grounded plans name that only their trajectories' later material shows (<c>--trajectories</c>), or null.</param>
internal sealed class HindsightScreen(bool allow, bool withReasoning, PlannerHindsightFindings? trajectories = null)
{
    private readonly ConcurrentQueue<HindsightFlag> _flagged = new();

    public bool Allow => allow;

    /// <summary>Every finding, in the order the examples were made.</summary>
    public IReadOnlyCollection<HindsightFlag> Flagged => _flagged;

    /// <summary>
    /// What a planner of <paramref name="plan"/> knew (its task and first page) and could not (the plan's grounding: the
    /// step descriptions a grounded annotation wrote from every action).
    /// </summary>
    public static HindsightCheck Planner(PlanRecord plan) => new(
        "a planner",
        [new HindsightText(plan.Task), new HindsightText(Observation.Planner(plan.InitialHtml))],
        [.. plan.Plan.Steps.Where(s => !string.IsNullOrWhiteSpace(s.Description))
            .Select(s => new HindsightSource($"only the grounding of step {s.Number} (written from the actions) shows", s.Description!))]);

    /// <summary>
    /// Checks one example's plan and reasoning, and a grounded plan's findings against its trajectory
    /// (<paramref name="planId"/>); true when the example is exported.
    /// </summary>
    public bool Admits(string id, ExampleKind kind, HindsightCheck check, Plan plan, string? reasoning, PromptProfile profile, string? planId = null)
    {
        var role = kind == ExampleKind.Planner ? AgentRole.Planner : AgentRole.Replanner;
        var shown = withReasoning || !profile.KeepsReasoningApart(role) ? reasoning : null;
        var findings = check.Find(TargetPart.Of(plan, shown));
        if (planId is not null && trajectories is not null)
        {
            findings = [.. findings.Concat(trajectories.For(planId, shown is not null)).DistinctBy(f => (f.Value, f.Where))];
        }

        foreach (var finding in findings)
        {
            _flagged.Enqueue(new HindsightFlag(id, kind, finding));
        }

        return allow || findings.Count == 0;
    }
}
