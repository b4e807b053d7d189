using System.Globalization;
using PlanAct.Actions;
using PlanAct.Html;
using PlanAct.Teacher;

namespace PlanAct.Plans.Hindsight;

/// <summary>Something the model could not have seen when it wrote its plan, and how a message says that it shows a value.</summary>
internal sealed class HindsightSource(string reveals, HindsightText text)
{
    public HindsightSource(string reveals, string text)
        : this(reveals, new HindsightText(text))
    {
    }

    /// <summary>Finishes "…, which …": "only the final answer shows", "is first seen on the page after action 4".</summary>
    public string Reveals { get; } = reveals;

    public HindsightText Text { get; } = text;
}

/// <summary>A part of a training target: where it is ("step 2's reasoning") and its text.</summary>
internal sealed record TargetPart(string Where, string Text)
{
    /// <summary>Where the thinking before a plan is.</summary>
    public const string ThinkingPart = "The thinking";

    /// <summary>The parts of a plan a model is trained to write (reasoning and <c>Step:</c> line of every step), after its thinking when there is one.</summary>
    public static IEnumerable<TargetPart> Of(Plan plan, string? thinking = null)
    {
        if (!string.IsNullOrWhiteSpace(thinking))
        {
            yield return new TargetPart(ThinkingPart, thinking);
        }

        foreach (var step in plan.Steps)
        {
            var number = step.Number.ToString(CultureInfo.InvariantCulture);
            yield return new TargetPart($"Step {number}'s reasoning", step.Reasoning);
            yield return new TargetPart($"Step {number}'s 'Step:' line", step.Step);
        }
    }

    /// <summary>The <c>Step:</c> lines of a plan alone (a plan whose reasoning is written again later).</summary>
    public static IEnumerable<TargetPart> StepLines(Plan plan) => Of(plan).Where((_, i) => i % 2 == 1);
}

/// <summary>A value a target names that the model could not have known at that point: what, where in the target, and what showed it.</summary>
internal sealed record HindsightFinding(string Value, string Where, string Reveals, string Who)
{
    /// <summary>"Step 2's reasoning names '7 products', which only the final answer shows; a planner cannot know it."</summary>
    public override string ToString() => $"{Where} names '{Value}', which {Reveals}; {Who} cannot know it.";
}

/// <summary>
/// The hindsight check (issue 14): a planner writes its plan from the task and the first page, a replanner at round r
/// from the task, the actions so far and the pages up to the current one. A value (number, price, count, quoted string,
/// name, date, URL, email) that a target names, that the model could not have seen, but that a later page, a later
/// action's comment or the final answer shows, was taken from hindsight: training on it teaches the model to invent facts.
/// </summary>
internal sealed class HindsightCheck
{
    /// <summary>The quarantine reason, the rejection count key and the export's skip reason of a hindsight finding.</summary>
    public const string Reason = "hindsight_leak";

    /// <summary>How every rejection for hindsight begins, so that counts can tell it apart.</summary>
    public const string ErrorPrefix = "Hindsight: ";

    private readonly IReadOnlyList<HindsightText> _known;
    private readonly IReadOnlyList<HindsightSource> _unknown;

    /// <param name="who">The model whose target is checked ("a planner", "a replanner at round 3").</param>
    /// <param name="known">What it was shown: the task, the pages so far (rendered), the actions taken.</param>
    /// <param name="unknown">What it could not see, earliest first; a finding names the first that shows the value.</param>
    public HindsightCheck(string who, IReadOnlyList<HindsightText> known, IReadOnlyList<HindsightSource> unknown)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(who);
        Who = who;
        _known = known;
        _unknown = unknown;
    }

    public string Who { get; }

    /// <summary>The values of <paramref name="target"/> the model could not have known, once per part and value, in target order.</summary>
    public IReadOnlyList<HindsightFinding> Find(IEnumerable<TargetPart> target)
    {
        var findings = new List<HindsightFinding>();
        foreach (var part in target)
        {
            foreach (var value in HindsightText.Values(part.Text).DistinctBy(v => (v.Kind, v.Key)))
            {
                if (!_known.Any(k => k.Holds(value)) && _unknown.FirstOrDefault(u => u.Text.Holds(value)) is { } source)
                {
                    findings.Add(new HindsightFinding(value.Written, part.Where, source.Reveals, Who));
                }
            }
        }

        return findings;
    }

    /// <summary>The re-ask error for findings: each named exactly, then what to do instead.</summary>
    public static string Error(IReadOnlyList<HindsightFinding> findings) =>
        ErrorPrefix + string.Join(" ", findings) + $" Write it again using only what {findings[0].Who} is shown: the task, the pages so far and the actions taken; say what to look for, not what will be found.";

    /// <summary>
    /// <paramref name="result"/>, or a rejection naming every finding when it was accepted but its target
    /// (<paramref name="target"/> of the value) names what the model could not know.
    /// </summary>
    public Checked<T> Screen<T>(Checked<T> result, Func<T, IEnumerable<TargetPart>> target) =>
        result.Error is null && Find(target(result.Value!)) is { Count: > 0 } findings ? Checked<T>.Fail(Error(findings)) : result;

    /// <summary>
    /// The quarantine reason for an item whose last error was <paramref name="error"/>: <see cref="Reason"/> for hindsight,
    /// else the error, after <paramref name="context"/> ("round 3") when there is one.
    /// </summary>
    public static string QuarantineReason(string error, string? context = null) =>
        error.StartsWith(ErrorPrefix, StringComparison.Ordinal) ? Reason : context is null ? error : $"{context}: {error}";
}

/// <summary>
/// What one trajectory shows step by step, rendered once: the task, the page before every action (planner view), and
/// every action with its comments. <see cref="At"/> splits it into what the model knows at a round and what it cannot.
/// </summary>
internal sealed class TrajectoryHindsight
{
    private readonly HindsightText _task;
    private readonly HindsightText[] _pages;
    private readonly HindsightText[] _taken;
    private readonly HindsightSource[] _comments;
    private readonly HindsightSource?[] _pagesAfter;
    private readonly HindsightSource? _answer;

    /// <summary>What <paramref name="trajectory"/> shows.</summary>
    public TrajectoryHindsight(Trajectories.Trajectory trajectory)
        : this(trajectory.Task, [.. trajectory.Steps.Select(s => s.Html)], [.. trajectory.Steps.Select(s => s.Action)])
    {
    }

    /// <param name="task">The task text.</param>
    /// <param name="pages">The page before each action (HTML); an empty one when it is not at hand.</param>
    /// <param name="actions">The actions, as many as pages.</param>
    public TrajectoryHindsight(string task, IReadOnlyList<string> pages, IReadOnlyList<WebAction> actions)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(pages.Count, actions.Count);
        _task = new HindsightText(task);
        // Pages are rendered only when a check first needs them: a value the task already shows needs none.
        _pages = [.. pages.Select(html => new HindsightText(() => html.Length == 0 ? "" : Observation.Planner(html)))];
        // Actions and comments too are written out only when a check asks about them: the planner's knows no action.
        _taken = [.. actions.Select(a => new HindsightText(() => ActionPrinter.Print(a)))];
        _comments = [.. actions.Select((a, i) => new HindsightSource($"is first written in action {i}'s comment", new HindsightText(() => string.Join("\n", a.Comments.Select(c => c.Text)))))];
        _pagesAfter = [.. _pages.Select((p, i) => i == 0 ? null : new HindsightSource($"is first seen on the page after action {i - 1}", p))];
        _answer = actions.Count > 0 && actions[^1].Message is { Length: > 0 } message ? new HindsightSource("only the final answer shows", message) : null;
    }

    /// <summary>
    /// The check for round <paramref name="round"/> (0: the planner): it knows the task, the pages 0..round and the
    /// actions 0..round − 1; it cannot know the comments of actions round.., the pages after them or the final answer.
    /// </summary>
    public HindsightCheck At(int round)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(round);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(round, Math.Max(1, _pages.Length));
        var unknown = new List<HindsightSource>();
        for (var i = round; i < _pages.Length; i++)
        {
            unknown.Add(_comments[i]);
            if (i + 1 < _pages.Length)
            {
                unknown.Add(_pagesAfter[i + 1]!);
            }
        }

        if (_answer is not null)
        {
            unknown.Add(_answer);
        }

        var who = round == 0 ? "a planner" : $"a replanner at round {round.ToString(CultureInfo.InvariantCulture)}";
        return new HindsightCheck(who, [_task, .. _taken.Take(round), .. _pages.Take(round + 1)], unknown);
    }
}
