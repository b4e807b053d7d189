using PlanAct.Actions;
using PlanAct.IO;

namespace PlanAct.Plans;

/// <summary>
/// One replanning round: after actions 0..<see cref="Round"/> − 1, on the page <see cref="Html"/> (the page of step
/// <see cref="Round"/>), the plan for the actions still to take, grounded in <see cref="Round"/>..n − 1.
/// </summary>
internal sealed record ReplanRound(int Round, string Html, Plan Plan)
{
    /// <summary>
    /// The replanner's thinking before this plan, written in a second round as if only the task, the actions so far and
    /// the current page were known (CoT mode): what training examples may show as reasoning.
    /// </summary>
    public string? Reasoning { get; init; }

    /// <summary>The teacher's own trace of the grounded round, written seeing the actions still to take: never training reasoning.</summary>
    public string? AnnotationTrace { get; init; }

    /// <summary>Ledger request ids whose answers built this round.</summary>
    public EquatableList<string>? Requests { get; init; }
}

/// <summary>
/// The replans of one trajectory (schema <c>planact/replan@2</c>): its actions, the initial plan (round 0) and one
/// replanned plan for every round 1..n − 1. It carries the pages of the rounds, so replanner examples are made from it
/// alone, as planner examples are from a plan record.
/// </summary>
internal sealed record ReplanRecord(string Id, string Site, string Task, EquatableList<WebAction> Actions, Plan InitialPlan, EquatableList<ReplanRound> Rounds)
{
    /// <summary>The teacher model that wrote the rounds.</summary>
    public string? Teacher { get; init; }

    /// <summary>The plan in force when action <paramref name="step"/> is taken: the initial plan, then the latest replan.</summary>
    public Plan PlanBefore(int step) => step == 0 ? InitialPlan : Rounds[step - 1].Plan;

    /// <summary>The record without the pages of its rounds: what is kept in memory when only its plans are needed.</summary>
    public ReplanRecord WithoutPages() => this with { Rounds = Rounds.Select(r => r with { Html = "" }).ToEquatableList() };

    /// <summary>Why the record is not a complete set of replans (empty when it is): rounds 1..n − 1 in order, each grounded in what remains.</summary>
    public IReadOnlyList<string> Validate()
    {
        if (Actions.Count == 0)
        {
            return ["there are no actions."];
        }

        var errors = new List<string>(PlanValidator.ValidateGrounding(InitialPlan, 0, Actions.Count).Select(e => $"initial plan: {e}"));
        if (Rounds.Count != Actions.Count - 1)
        {
            errors.Add($"{Actions.Count} actions need {Actions.Count - 1} rounds (1..{Actions.Count - 1}); found {Rounds.Count}.");
        }

        foreach (var (round, i) in Rounds.Select((r, i) => (r, i)))
        {
            if (round.Round != i + 1)
            {
                errors.Add($"round {i + 1} is numbered {round.Round}.");
            }
            else if (round.Round < Actions.Count)
            {
                errors.AddRange(PlanValidator.ValidateGrounding(round.Plan, round.Round, Actions.Count).Select(e => $"round {round.Round}: {e}"));
            }
        }

        return errors;
    }
}
