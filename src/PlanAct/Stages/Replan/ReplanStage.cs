using System.Globalization;
using Microsoft.Extensions.AI;
using PlanAct.Actions;
using PlanAct.Html;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Plans.Hindsight;
using PlanAct.Stages.Thinking;
using PlanAct.Teacher;
using PlanAct.Text;
using PlanAct.Trajectories;

namespace PlanAct.Stages.Replan;

/// <summary>Settings of the replan stage.</summary>
internal sealed record ReplanOptions
{
    /// <summary>The current page's planner view is cut to this many tokens.</summary>
    public int MaxPageTokens { get; init; } = 6000;

    /// <summary>
    /// CoT mode: after the grounded rounds, a thinking round per round writes the replanner's thinking and every step's
    /// reasoning again as if only the task, the actions so far and the current page were known (checked and re-asked like
    /// the grounded round); that becomes the round's reasoning.
    /// </summary>
    public bool Cot { get; init; }

    public TokenCounter Counter { get; init; } = TokenCounter.O200k;
}

/// <summary>
/// Dynamic planner data (SPEC §2.6): for every round r = 1..n − 1 of an annotated trajectory, the teacher sees the task,
/// the actions taken, the current page, the actions still to take (r..n − 1, numbered absolutely) and the earlier rounds
/// as a compressed chat, and writes a plan grounded in exactly r..n − 1. Rounds run in order, each seeing the plan before
/// it; one round the teacher never answers validly quarantines the trajectory. The grounded round saw the future, so its
/// own trace is only an annotation trace; in CoT mode the reasoning a replanner may learn comes from a second, thinking
/// round per round (all of a trajectory's at once, as they depend only on the grounded plans). Requests depend only on
/// the input and on earlier answers, which the ledger replays, so a re-run sends nothing.
/// </summary>
internal sealed class ReplanStage(ReplanOptions options, string model) : ITeacherStage<PlannedTrajectory, ReplanRecord>
{
    public const string StageName = "replan";

    private static readonly PromptTemplate System = PromptTemplate.Load(typeof(ReplanStage), "replan.system.md");
    private static readonly PromptTemplate ThinkingUser = PromptTemplate.Load(typeof(ReplanStage), "replan.thinking.user.md");
    private static readonly PromptTemplate EarlierRound = PromptTemplate.Load(typeof(ReplanStage), "replan.round.md");
    private static readonly PromptTemplate User = PromptTemplate.Load(typeof(ReplanStage), "replan.user.md");

    public string Name => StageName;

    public string IdOf(PlannedTrajectory item) => item.Trajectory.Id;

    public string Format(ReplanRecord output) => ReplanJsonl.Format(output);

    public string IdOfRecord(string line, SourceLocation location) => ReplanJsonl.Read(line, location).Id;

    /// <summary>The rounds, asked in order: one per action after the first.</summary>
    public int ChainOf(PlannedTrajectory item) => Math.Max(0, item.Trajectory.Steps.Count - 1);

    /// <summary>The ledger item of one round: the trajectory id first, so batch requests sort with their trajectory.</summary>
    public static string RoundItem(string trajectoryId, int round) => $"{trajectoryId}/round-{round.ToString(CultureInfo.InvariantCulture)}";

    public async Task<ItemResult<ReplanRecord>> ProcessAsync(PlannedTrajectory item, TeacherDialog teacher, CancellationToken cancellationToken)
    {
        var trajectory = item.Trajectory;
        var count = trajectory.Steps.Count;
        var rounds = new List<ReplanRound>(Math.Max(0, count - 1));
        var hindsight = new TrajectoryHindsight(trajectory);
        // Each round's page view, rendered once for its grounded round and its thinking round.
        var pages = new string[count];
        for (var round = 1; round < count; round++)
        {
            var first = round;
            var replanner = hindsight.At(round);
            pages[round] = CurrentPage(trajectory, round);
            var outcome = await teacher.AskAsync(
                RoundItem(trajectory.Id, round), Messages(item, rounds, round, pages[round]), reply => Check(reply, first, count, options.Cot, replanner), cancellationToken);
            switch (outcome)
            {
                case TeacherOutcome<Plan>.Accepted accepted:
                    rounds.Add(new ReplanRound(round, trajectory.Steps[round].Html, accepted.Value)
                    {
                        AnnotationTrace = accepted.Reply.Reasoning,
                        Requests = outcome.RequestIds.ToEquatableList(),
                    });
                    break;
                case TeacherOutcome<Plan>.Failed failed:
                    return new ItemResult<ReplanRecord>.Quarantined(HindsightCheck.QuarantineReason(failed.Reason, $"round {round}"), failed.Rejected);
            }
        }

        if (options.Cot)
        {
            var thought = await Task.WhenAll(rounds.Select(r => teacher.AskAsync(
                $"{RoundItem(trajectory.Id, r.Round)}/thinking",
                ThinkingMessages(item, rounds, r.Round, pages[r.Round]),
                reply => PlanThinking.Check(reply.Text, r.Plan, r.Round, hindsight.At(r.Round)),
                cancellationToken)));
            for (var i = 0; i < rounds.Count; i++)
            {
                switch (thought[i])
                {
                    case TeacherOutcome<RewrittenPlan>.Accepted { Value: var rewritten } accepted:
                        rounds[i] = rounds[i] with
                        {
                            Plan = rewritten.Plan,
                            Reasoning = rewritten.Thinking,
                            Requests = rounds[i].Requests!.Concat(accepted.RequestIds).ToEquatableList(),
                        };
                        break;
                    case TeacherOutcome<RewrittenPlan>.Failed failed:
                        return new ItemResult<ReplanRecord>.Quarantined(
                            HindsightCheck.QuarantineReason(failed.Reason, $"round {rounds[i].Round}'s thinking"), [.. thought.SelectMany(o => o.Rejected)]);
                }
            }
        }

        return new ItemResult<ReplanRecord>.Done(
            new ReplanRecord(trajectory.Id, trajectory.Site, trajectory.Task, trajectory.Steps.Select(s => s.Action).ToEquatableList(), item.Plan, rounds.ToEquatableList())
            {
                Teacher = model,
            });
    }

    /// <summary>
    /// The conversation that asks for round <paramref name="round"/>: the rules; each earlier round as the action taken
    /// since the one before with its page collapsed, answered by the plan written then; and the request itself.
    /// </summary>
    /// <param name="item">The trajectory and its initial plan (round 0).</param>
    /// <param name="earlier">The accepted plans of rounds 1..<paramref name="round"/> − 1.</param>
    /// <param name="round">The round to ask for, 1..n − 1.</param>
    public IReadOnlyList<ChatMessage> Messages(PlannedTrajectory item, IReadOnlyList<ReplanRound> earlier, int round)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(round, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(round, item.Trajectory.Steps.Count);
        ArgumentOutOfRangeException.ThrowIfNotEqual(earlier.Count, round - 1);
        return Messages(item, earlier, round, CurrentPage(item.Trajectory, round));
    }

    private IReadOnlyList<ChatMessage> Messages(PlannedTrajectory item, IReadOnlyList<ReplanRound> earlier, int round, string page)
    {
        var trajectory = item.Trajectory;
        var count = trajectory.Steps.Count;
        var messages = new List<ChatMessage>((2 * round) + 2)
        {
            new(ChatRole.System, System.Fill()),
        };
        for (var k = 0; k < round; k++)
        {
            var taken = k == 0
                ? $"The task begins: {trajectory.Task}"
                : "Action taken since the last round:\n" + ActionPrinter.PrintNumbered([trajectory.Steps[k - 1].Action], k - 1);
            messages.Add(new ChatMessage(ChatRole.User, EarlierRound.Fill(
                ("round", k.ToString(CultureInfo.InvariantCulture)), ("taken", taken), ("page", SftPrompt.HtmlPlaceholder))));
            messages.Add(new ChatMessage(ChatRole.Assistant, PlanText.Format(k == 0 ? item.Plan : earlier[k - 1].Plan).TrimEnd()));
        }

        var actions = trajectory.Steps.Select(s => s.Action).ToList();
        messages.Add(new ChatMessage(ChatRole.User, User.Fill(
            ("task", trajectory.Task),
            ("site", trajectory.Site),
            ("done", round.ToString(CultureInfo.InvariantCulture)),
            ("last_done", (round - 1).ToString(CultureInfo.InvariantCulture)),
            ("done_actions", ActionPrinter.PrintNumbered(actions.Take(round))),
            ("page", page),
            ("round", round.ToString(CultureInfo.InvariantCulture)),
            ("left", (count - round).ToString(CultureInfo.InvariantCulture)),
            ("last", (count - 1).ToString(CultureInfo.InvariantCulture)),
            ("left_actions", ActionPrinter.PrintNumbered(actions.Skip(round), round)),
            ("grammar", trajectory.Grammar.TeacherNote()))));
        return messages;
    }

    /// <summary>
    /// The request that writes round <paramref name="round"/>'s thinking and reasoning again as the replanner would have:
    /// the task, the actions taken, the plan followed until then and the current page, with the grounded plan to rewrite.
    /// </summary>
    /// <param name="item">The trajectory and its initial plan (round 0).</param>
    /// <param name="rounds">The grounded rounds 1..n − 1.</param>
    /// <param name="round">The round to rewrite.</param>
    /// <param name="page">The round's page view, as its grounded round showed it.</param>
    private static IReadOnlyList<ChatMessage> ThinkingMessages(PlannedTrajectory item, IReadOnlyList<ReplanRound> rounds, int round, string page)
    {
        var trajectory = item.Trajectory;
        var plan = rounds[round - 1].Plan;
        var previous = round == 1 ? item.Plan : rounds[round - 2].Plan;
        var user = ThinkingUser.Fill(
            ("task", trajectory.Task),
            ("site", trajectory.Site),
            ("done", round.ToString(CultureInfo.InvariantCulture)),
            ("last_done", (round - 1).ToString(CultureInfo.InvariantCulture)),
            ("done_actions", ActionPrinter.PrintNumbered(trajectory.Steps.Take(round).Select(s => s.Action))),
            ("previous", PlanText.Format(previous, PlanTextStyle.Target).TrimEnd()),
            ("page", page),
            ("round", round.ToString(CultureInfo.InvariantCulture)),
            ("steps", plan.Steps.Count.ToString(CultureInfo.InvariantCulture)),
            ("plan", PlanText.Format(plan, PlanTextStyle.Target).TrimEnd()));
        return [new ChatMessage(ChatRole.System, EmbeddedText.Read(typeof(ReplanStage), "replan.thinking.system.md")), new ChatMessage(ChatRole.User, user)];
    }

    /// <summary>The planner view of the page before action <paramref name="round"/>, cut to the budget.</summary>
    private string CurrentPage(Trajectory trajectory, int round) =>
        Observation.FitView(trajectory.Steps[round].Html, executor: false, options.MaxPageTokens, options.Counter, trajectory.Steps[round].Observation).Html;

    /// <summary>
    /// Parses an answer and checks that it grounds exactly actions <paramref name="first"/>..<paramref name="end"/> − 1
    /// and, with <paramref name="hindsight"/>, that it names nothing the replanner could not know at this round: its
    /// step lines only in CoT mode (the thinking round writes the reasoning again and is checked itself), else every line.
    /// </summary>
    /// <param name="reply">The teacher's answer.</param>
    /// <param name="first">The round: the first action the plan must cover.</param>
    /// <param name="end">The trajectory's action count.</param>
    /// <param name="cot">Whether a thinking round rewrites the reasoning.</param>
    /// <param name="hindsight">What the replanner knows at this round, or null to leave hindsight unchecked.</param>
    public static Checked<Plan> Check(TeacherReply reply, int first, int end, bool cot, HindsightCheck? hindsight = null)
    {
        var grounded = AnswerForms.CheckGrounded(reply.Text, first, end);
        return hindsight is null ? grounded : hindsight.Screen(grounded, cot ? TargetPart.StepLines : plan => TargetPart.Of(plan));
    }
}
