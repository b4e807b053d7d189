namespace PlanAct.Plans;

/// <summary>
/// Checks that a plan grounds a trajectory: steps numbered 1..k, and the steps' Actions lists split the expected
/// action range into contiguous, ascending, non-empty runs in order. Messages name exact indices so a teacher can fix them.
/// </summary>
internal static class PlanValidator
{
    /// <param name="plan">The plan to check.</param>
    /// <param name="first">The first action index the plan must cover (0 for a full plan, r for a replan at round r).</param>
    /// <param name="end">One past the last action index (the trajectory's action count).</param>
    public static IReadOnlyList<string> ValidateGrounding(Plan plan, int first, int end)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(first, end);
        var errors = new List<string>();
        if (plan.Steps.Count == 0)
        {
            errors.Add("The plan has no steps.");
            return errors;
        }

        var next = first;
        for (var i = 0; i < plan.Steps.Count; i++)
        {
            var step = plan.Steps[i];
            if (step.Number != i + 1)
            {
                errors.Add($"Steps must be numbered 1, 2, 3, … in order: found Step {step.Number} where Step {i + 1} was expected.");
            }

            var actions = step.Actions;
            if (actions is null)
            {
                errors.Add($"Step {step.Number} has no 'Actions:' list.");
                continue;
            }

            if (actions.Count == 0)
            {
                errors.Add($"Step {step.Number} has an empty Actions list; every step must own at least one action.");
                continue;
            }

            foreach (var outside in actions.Where(a => a < first || a >= end).Distinct())
            {
                errors.Add($"Step {step.Number} lists action {outside}, but the actions to cover are {first}..{end - 1}.");
            }

            for (var k = 1; k < actions.Count; k++)
            {
                if (actions[k] <= actions[k - 1])
                {
                    errors.Add($"Step {step.Number}'s Actions {List(actions)} are not in ascending order.");
                    break;
                }

                if (actions[k] != actions[k - 1] + 1)
                {
                    errors.Add($"Step {step.Number}'s Actions {List(actions)} are not contiguous: {Range(actions[k - 1] + 1, actions[k] - 1)} missing inside the step.");
                    break;
                }
            }

            var start = actions[0];
            if (start > next)
            {
                var previous = i == 0 ? "the plan begins" : $"step {plan.Steps[i - 1].Number} ends at action {next - 1}";
                errors.Add($"{Capitalize(Range(next, start - 1))} not assigned to any step: {previous} but step {step.Number} starts at action {start}.");
            }
            else if (start < next)
            {
                errors.Add($"Step {step.Number} starts at action {start}, but actions up to {next - 1} already belong to earlier steps; each action belongs to exactly one step.");
            }

            next = Math.Max(next, actions.Max() + 1);
        }

        if (next < end)
        {
            errors.Add($"{Capitalize(Range(next, end - 1))} not assigned to any step: the last step must end at action {end - 1}.");
        }

        return errors;
    }

    /// <summary>
    /// Parses a teacher's grounded plan and checks that it covers actions <paramref name="first"/>..<paramref name="end"/> − 1;
    /// the error, if any, is worded to be sent back to the teacher as it is.
    /// </summary>
    /// <param name="answer">The plan text.</param>
    /// <param name="first">The first action index the plan must cover.</param>
    /// <param name="end">One past the last action index.</param>
    public static (Plan? Plan, string? Error) ParseGrounded(string answer, int first, int end)
    {
        var parsed = PlanText.Parse(answer, grounded: true);
        if (parsed.Plan is not { } plan || parsed.Errors.Count > 0)
        {
            return (null, string.Join(" ", parsed.Errors.DefaultIfEmpty(PlanText.FormatHint)));
        }

        var errors = ValidateGrounding(plan, first, end);
        return errors.Count > 0 ? (null, string.Join(" ", errors)) : (plan, null);
    }

    private static string List(IEnumerable<int> actions) => $"[{string.Join(", ", actions)}]";

    private static string Range(int from, int to) => from == to ? $"action {from} is" : $"actions {from}..{to} are";

    private static string Capitalize(string text) => char.ToUpperInvariant(text[0]) + text[1..];
}
