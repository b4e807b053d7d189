using System.Globalization;
using System.Text.RegularExpressions;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Plans.Hindsight;
using PlanAct.Teacher;

namespace PlanAct.Stages.Thinking;

/// <summary>A plan whose reasoning was written again without hindsight, and the thinking that leads to it.</summary>
internal sealed record RewrittenPlan(string Thinking, Plan Plan);

/// <summary>
/// The answer of a thinking round, the round that writes what a planner or replanner may learn to think: a
/// <c>## Thinking</c> section, then the given plan's steps with the same <c>Step:</c> lines and each <c>Reasoning:</c>
/// written again from what the model knows at that point. CoT annotation, replan's CoT round and the reasoning of
/// generated plans all ask for it, so one check holds them to the same form.
/// </summary>
internal static partial class PlanThinking
{
    [GeneratedRegex(@"^[ \t]*#{1,6}[ \t]*(?:\*\*)?[ \t]*Thinking[ \t]*:?[ \t]*(?:\*\*)?[ \t]*$", RegexOptions.Multiline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ThinkingHeader();

    // "action 3", "actions [2, 3]", "Actions: 4 and 5": the numbers are the group, each a grounding the model could not have known
    // when it names an action not yet taken.
    [GeneratedRegex(@"\bactions?\s*:?\s*\[?\s*(?<n>\d+)(?:\s*(?:,|and|to|-|–)\s*(?<n>\d+))*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ActionNumbers();

    /// <summary>
    /// Checks a thinking answer against the plan it rewrites. The result keeps <paramref name="plan"/>'s descriptions and
    /// grounding with the rewritten reasoning.
    /// </summary>
    /// <param name="answer">The teacher's answer.</param>
    /// <param name="plan">The plan whose reasoning is rewritten.</param>
    /// <param name="firstUnseenAction">The first action the model has not taken yet: naming it or any later one is an error (0: every action number is).</param>
    /// <param name="hindsight">What the model knows at this point, or null to leave hindsight unchecked.</param>
    public static Checked<RewrittenPlan> Check(string answer, Plan plan, int firstUnseenAction = 0, HindsightCheck? hindsight = null)
    {
        var rewritten = AnswerForms.Rewrite.Check(answer, text => CheckForm(text, plan, firstUnseenAction));
        return hindsight is null ? rewritten : hindsight.Screen(rewritten, r => TargetPart.Of(r.Plan, r.Thinking));
    }

    private static Checked<RewrittenPlan> CheckForm(string answer, Plan reduced, int firstUnseenAction)
    {
        var header = ThinkingHeader().Match(answer);
        var firstStep = PlanText.IndexOfFirstStep(answer);
        if (!header.Success || (firstStep >= 0 && firstStep < header.Index))
        {
            return Checked<RewrittenPlan>.Fail("Start with the heading '## Thinking' and the thinking, then the plan's '## Step N' blocks.");
        }

        var thinking = (firstStep < 0 ? answer[(header.Index + header.Length)..] : answer[(header.Index + header.Length)..firstStep]).Trim();
        if (thinking.Length == 0)
        {
            return Checked<RewrittenPlan>.Fail("The '## Thinking' section is empty: write the thinking there.");
        }

        var parsed = PlanText.Parse(firstStep < 0 ? "" : answer[firstStep..], grounded: false);
        if (parsed.Plan is not { } plan || parsed.Errors.Count > 0)
        {
            return Checked<RewrittenPlan>.Fail(string.Join(" ", parsed.Errors));
        }

        if (plan.Steps.Count != reduced.Steps.Count)
        {
            return Checked<RewrittenPlan>.Fail($"The plan must keep its {reduced.Steps.Count} steps; the answer has {plan.Steps.Count}.");
        }

        for (var i = 0; i < plan.Steps.Count; i++)
        {
            if (!SameWords(plan.Steps[i].Step, reduced.Steps[i].Step))
            {
                return Checked<RewrittenPlan>.Fail($"Step {i + 1}'s 'Step:' line must stay as it was: \"{reduced.Steps[i].Step}\".");
            }
        }

        var named = FirstUnseenNumber(thinking, firstUnseenAction)
            ?? plan.Steps.Select(s => FirstUnseenNumber(s.Reasoning, firstUnseenAction)).FirstOrDefault(n => n is not null);
        if (named is { } number)
        {
            return Checked<RewrittenPlan>.Fail(firstUnseenAction == 0
                ? "Do not mention action numbers: the planner has not seen any actions."
                : $"Do not mention action {number.ToString(CultureInfo.InvariantCulture)}: only actions 0 to {(firstUnseenAction - 1).ToString(CultureInfo.InvariantCulture)} have been taken, and the rest are unknown at this point.");
        }

        var steps = reduced.Steps.Zip(plan.Steps, (kept, written) => kept with { Reasoning = written.Reasoning });
        return Checked<RewrittenPlan>.Ok(new RewrittenPlan(thinking, new Plan(steps.ToEquatableList())));
    }

    /// <summary>The first action number at or after <paramref name="firstUnseen"/> that <paramref name="text"/> names, or null.</summary>
    private static int? FirstUnseenNumber(string text, int firstUnseen)
    {
        foreach (Match match in ActionNumbers().Matches(text))
        {
            foreach (Capture number in match.Groups["n"].Captures)
            {
                if (int.TryParse(number.ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= firstUnseen)
                {
                    return n;
                }
            }
        }

        return null;
    }

    private static bool SameWords(string a, string b) =>
        a.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).SequenceEqual(b.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries), StringComparer.OrdinalIgnoreCase);
}
