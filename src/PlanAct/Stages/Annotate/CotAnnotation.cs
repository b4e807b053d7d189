using System.Globalization;
using Microsoft.Extensions.AI;
using PlanAct.Actions;
using PlanAct.Html;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Plans.Hindsight;
using PlanAct.Stages.Thinking;
using PlanAct.Teacher;
using PlanAct.Trajectories;

namespace PlanAct.Stages.Annotate;

/// <summary>
/// CoT annotation (SPEC §2.2, the released code's variant), three rounds per trajectory:
/// <list type="number">
/// <item>describe every action from the page before and after it (one request per action, all asked at once, so a
/// batch run sends them in one wave);</item>
/// <item>reduce the numbered actions with their descriptions to a grounded plan (the grounded prompt, validated alike);</item>
/// <item>write the thinking and every step's reasoning again as if only the task and the first page were known.</item>
/// </list>
/// The plan keeps the reduced plan's descriptions, steps and grounding with the rewritten reasoning; the thinking is the
/// record's reasoning, kept apart so a training target can carry it or not. The reduce round's own trace (it saw every
/// action) is kept as the annotation trace only.
/// </summary>
internal sealed class CotAnnotation(AnnotateOptions options, AnnotateStage stage)
{
    /// <summary>A description longer than this is not the one or two sentences asked for.</summary>
    public const int MaxDescriptionLength = 1200;

    private static readonly PromptTemplate DescribeUser = PromptTemplate.Load(typeof(CotAnnotation), "annotate.describe.user.md");
    private static readonly PromptTemplate RewriteUser = PromptTemplate.Load(typeof(CotAnnotation), "annotate.rewrite.user.md");

    /// <summary>The three rounds for one trajectory; the reduced plan's steps and the rewrite are held to <paramref name="planner"/>.</summary>
    public async Task<ItemResult<PlanRecord>> ProcessAsync(Trajectory item, HindsightCheck planner, TeacherDialog teacher, CancellationToken cancellationToken)
    {
        var count = item.Steps.Count;
        var described = await Task.WhenAll(item.Steps.Select(step => teacher.AskAsync(
            $"{item.Id}/describe/{step.Index}", DescribeMessages(item, step.Index), reply => CheckDescription(reply.Text), cancellationToken)));
        var requests = described.SelectMany(o => o.RequestIds).ToList();
        var failedAction = Array.FindIndex(described, o => o is TeacherOutcome<string>.Failed);
        if (failedAction >= 0)
        {
            return new ItemResult<PlanRecord>.Quarantined(
                $"describing action {failedAction}: {((TeacherOutcome<string>.Failed)described[failedAction]).Reason}",
                [.. described.SelectMany(o => o.Rejected)]);
        }

        var descriptions = described.Select(o => ((TeacherOutcome<string>.Accepted)o).Value).ToList();
        var reduced = await teacher.AskAsync(
            $"{item.Id}/reduce", stage.Messages(item, descriptions), reply => planner.Screen(AnnotateStage.Check(reply.Text, count), TargetPart.StepLines), cancellationToken);
        requests.AddRange(reduced.RequestIds);
        if (reduced is not TeacherOutcome<Plan>.Accepted { Value: var plan, Reply.Reasoning: var reduceTrace })
        {
            return Quarantined("reducing the descriptions to a plan", ((TeacherOutcome<Plan>.Failed)reduced).Reason, reduced.Rejected);
        }

        var rewritten = await teacher.AskAsync(
            $"{item.Id}/rewrite", RewriteMessages(item, plan), reply => CheckRewrite(reply.Text, plan, planner), cancellationToken);
        requests.AddRange(rewritten.RequestIds);
        return rewritten switch
        {
            TeacherOutcome<RewrittenPlan>.Accepted { Value: var value } => new ItemResult<PlanRecord>.Done(
                stage.Record(item, value.Plan, requests) with { Reasoning = value.Thinking, AnnotationTrace = reduceTrace }),
            TeacherOutcome<RewrittenPlan>.Failed failed => Quarantined("rewriting the reasoning", failed.Reason, failed.Rejected),
            _ => throw new InvalidOperationException("unknown outcome"),
        };
    }

    /// <summary>A round that never got a valid answer: <see cref="HindsightCheck.Reason"/> when hindsight was the last error, else the round and the error.</summary>
    private static ItemResult<PlanRecord>.Quarantined Quarantined(string round, string error, IReadOnlyList<TeacherAttempt> attempts) =>
        new(HindsightCheck.QuarantineReason(error, round), attempts);

    /// <summary>The request that asks what action <paramref name="index"/> did, from the executor view of the pages before and after it.</summary>
    public IReadOnlyList<ChatMessage> DescribeMessages(Trajectory trajectory, int index)
    {
        var steps = trajectory.Steps;
        var user = DescribeUser.Fill(
            ("task", trajectory.Task),
            ("index", index.ToString(CultureInfo.InvariantCulture)),
            ("count", steps.Count.ToString(CultureInfo.InvariantCulture)),
            ("site", trajectory.Site),
            ("action", ActionPrinter.Print(steps[index].Action)),
            ("before", Page(steps[index].Html)),
            ("after", index + 1 < steps.Count ? Page(steps[index + 1].Html) : "(none: this is the last action of the trajectory)"));
        return [new ChatMessage(ChatRole.System, EmbeddedText.Read(typeof(CotAnnotation), "annotate.describe.system.md")), new ChatMessage(ChatRole.User, user)];
    }

    /// <summary>The request that rewrites the reduced plan's reasoning as the planner would have written it.</summary>
    public IReadOnlyList<ChatMessage> RewriteMessages(Trajectory trajectory, Plan plan)
    {
        var user = RewriteUser.Fill(
            ("task", trajectory.Task),
            ("site", trajectory.Site),
            ("page", stage.FirstPage(trajectory)),
            ("steps", plan.Steps.Count.ToString(CultureInfo.InvariantCulture)),
            ("plan", PlanText.Format(plan, PlanTextStyle.Target).TrimEnd()));
        return [new ChatMessage(ChatRole.System, EmbeddedText.Read(typeof(CotAnnotation), "annotate.rewrite.system.md")), new ChatMessage(ChatRole.User, user)];
    }

    /// <summary>A description is one or two plain sentences; it is kept on one line.</summary>
    public static Checked<string> CheckDescription(string answer) => AnswerForms.Description.Check(answer, CheckSentences);

    private static Checked<string> CheckSentences(string answer)
    {
        var text = answer.Trim();
        if (text.Length == 0)
        {
            return Checked<string>.Fail("The answer is empty: say in one or two sentences what the action did.");
        }

        if (text.StartsWith('#') || text.Contains("\n#", StringComparison.Ordinal))
        {
            return Checked<string>.Fail("Answer with plain sentences, without headings.");
        }

        return text.Length > MaxDescriptionLength
            ? Checked<string>.Fail($"The answer has {text.Length} characters; say what the action did in one or two sentences (at most {MaxDescriptionLength} characters).")
            : Checked<string>.Ok(string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));
    }

    /// <summary>Checks a rewrite: <see cref="PlanThinking.Check"/> with no action number allowed, as the planner has taken none.</summary>
    public static Checked<RewrittenPlan> CheckRewrite(string answer, Plan reduced, HindsightCheck? planner = null) =>
        PlanThinking.Check(answer, reduced, firstUnseenAction: 0, planner);

    private string Page(string html) => Observation.FitView(html, executor: true, options.DescribePageTokens, options.Counter).Shown;
}
