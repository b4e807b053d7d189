using System.Globalization;
using Microsoft.Extensions.AI;
using PlanAct.Actions;
using PlanAct.Html;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Plans.Hindsight;
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
    /// CoT mode: the teacher thinks first (a <c>&lt;think&gt;</c> block or the provider's reasoning field), which is kept
    /// apart in the round's trace, and writes the plan as if the future were unknown. An answer without a trace is re-asked.
    /// </summary>
    public bool Cot { get; init; }

    public TokenCounter Counter { get; init; } = TokenCounter.O200k;
}

/// <summary>
/// Dynamic planner data (SPEC §2.6): for every round r = 1..n − 1 of an annotated trajectory, the teacher sees the task,
/// the actions taken, the current page, the actions still to take (r..n − 1, numbered absolutely) and the earlier rounds
/// as a compressed chat, and writes a plan grounded in exactly r..n − 1. Rounds run in order, each seeing the plan before
/// it; one round the teacher never answers validly quarantines the trajectory. Requests depend only on the input and on
/// earlier answers, which the ledger replays, so a re-run sends nothing.
/// </summary>
internal sealed class ReplanStage(ReplanOptions options, string model) : ITeacherStage<PlannedTrajectory, ReplanRecord>
{
    public const string StageName = "replan";

    private static readonly PromptTemplate System = PromptTemplate.Load(typeof(ReplanStage), "replan.system.md");
    private static readonly PromptTemplate Thinking = PromptTemplate.Load(typeof(ReplanStage), "replan.thinking.md");
    private static readonly PromptTemplate EarlierRound = PromptTemplate.Load(typeof(ReplanStage), "replan.round.md");
    private static readonly PromptTemplate User = PromptTemplate.Load(typeof(ReplanStage), "replan.user.md");

    public string Name => StageName;

    public string IdOf(PlannedTrajectory item) => item.Trajectory.Id;

    public string Format(ReplanRecord output) => ReplanJsonl.Format(output);

    public string IdOfRecord(string line, SourceLocation location) => ReplanJsonl.Read(line, location).Id;

    /// <summary>The ledger item of one round: the trajectory id first, so batch requests sort with their trajectory.</summary>
    public static string RoundItem(string trajectoryId, int round) => $"{trajectoryId}/round-{round.ToString(CultureInfo.InvariantCulture)}";

    public async Task<ItemResult<ReplanRecord>> ProcessAsync(PlannedTrajectory item, TeacherDialog teacher, CancellationToken cancellationToken)
    {
        var trajectory = item.Trajectory;
        var count = trajectory.Steps.Count;
        var rounds = new List<ReplanRound>(Math.Max(0, count - 1));
        var hindsight = new TrajectoryHindsight(trajectory);
        for (var round = 1; round < count; round++)
        {
            var first = round;
            var replanner = hindsight.At(round);
            var outcome = await teacher.AskAsync(
                RoundItem(trajectory.Id, round), Messages(item, rounds, round), reply => Check(reply, first, count, options.Cot, replanner), cancellationToken);
            switch (outcome)
            {
                case TeacherOutcome<Plan>.Accepted accepted:
                    rounds.Add(new ReplanRound(round, trajectory.Steps[round].Html, accepted.Value)
                    {
                        Trace = accepted.Reply.Reasoning,
                        Requests = outcome.Rejected.Select(a => a.RequestId).Append(accepted.Reply.RequestId).OfType<string>().ToEquatableList(),
                    });
                    break;
                case TeacherOutcome<Plan>.Failed failed:
                    return new ItemResult<ReplanRecord>.Quarantined(HindsightCheck.QuarantineReason(failed.Reason, $"round {round}"), failed.Rejected);
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
        var trajectory = item.Trajectory;
        var count = trajectory.Steps.Count;
        ArgumentOutOfRangeException.ThrowIfLessThan(round, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(round, count);
        ArgumentOutOfRangeException.ThrowIfNotEqual(earlier.Count, round - 1);
        var messages = new List<ChatMessage>((2 * round) + 2)
        {
            new(ChatRole.System, System.Fill(("thinking", options.Cot ? Thinking.Fill() + "\n" : ""))),
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

        var page = Observation.FitView(trajectory.Steps[round].Html, executor: false, options.MaxPageTokens, options.Counter, trajectory.Steps[round].Observation);
        var actions = trajectory.Steps.Select(s => s.Action).ToList();
        messages.Add(new ChatMessage(ChatRole.User, User.Fill(
            ("task", trajectory.Task),
            ("site", trajectory.Site),
            ("done", round.ToString(CultureInfo.InvariantCulture)),
            ("last_done", (round - 1).ToString(CultureInfo.InvariantCulture)),
            ("done_actions", ActionPrinter.PrintNumbered(actions.Take(round))),
            ("page", page.Html),
            ("round", round.ToString(CultureInfo.InvariantCulture)),
            ("left", (count - round).ToString(CultureInfo.InvariantCulture)),
            ("last", (count - 1).ToString(CultureInfo.InvariantCulture)),
            ("left_actions", ActionPrinter.PrintNumbered(actions.Skip(round), round)),
            ("grammar", trajectory.Grammar.TeacherNote()))));
        return messages;
    }

    /// <summary>
    /// Parses an answer and checks that it grounds exactly actions <paramref name="first"/>..<paramref name="end"/> − 1 (and, in CoT mode, that it came with its thinking)
    /// and, with <paramref name="hindsight"/>, that its reasoning and steps name nothing the replanner could not know at this round.
    /// </summary>
    /// <param name="reply">The teacher's answer.</param>
    /// <param name="first">The round: the first action the plan must cover.</param>
    /// <param name="end">The trajectory's action count.</param>
    /// <param name="cot">Whether a reasoning trace is required.</param>
    /// <param name="hindsight">What the replanner knows at this round, or null to leave hindsight unchecked.</param>
    public static Checked<Plan> Check(TeacherReply reply, int first, int end, bool cot, HindsightCheck? hindsight = null)
    {
        if (cot && string.IsNullOrWhiteSpace(reply.Reasoning))
        {
            return Checked<Plan>.Fail("The answer has no thinking: think first inside <think> and </think>, then write the plan after it.");
        }

        var grounded = AnswerForms.CheckGrounded(reply.Text, first, end);
        return hindsight is null ? grounded : hindsight.Screen(grounded, plan => TargetPart.Of(plan));
    }
}
