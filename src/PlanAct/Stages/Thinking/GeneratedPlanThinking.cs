using System.Globalization;
using Microsoft.Extensions.AI;
using PlanAct.Html;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Teacher;
using PlanAct.Text;

namespace PlanAct.Stages.Thinking;

/// <summary>
/// The reasoning of generated plans (expand and augment with CoT): one request per accepted pair that writes a planner's
/// thinking, and every step's reasoning again, from the pair's query and its seed's first page only, so a reasoning
/// planner can be trained on synthetic and targeted plans too. There are no later pages to leak from, so the answer is
/// held to the thinking form (same steps, no action numbers) and re-asked with the exact error. It runs under the
/// generating stage's name, so its requests and costs are that stage's.
/// </summary>
/// <param name="stageName">The generating stage (expand or augment).</param>
/// <param name="maxPageTokens">The first page's planner view is cut to this many tokens, as in the pair's request.</param>
/// <param name="counter">Counts the page's tokens.</param>
internal sealed class GeneratedPlanThinking(string stageName, int maxPageTokens, TokenCounter counter) : ITeacherStage<PlanRecord, PlanRecord>
{
    private static readonly PromptTemplate User = PromptTemplate.Load(typeof(GeneratedPlanThinking), "thinking.generated.user.md");

    public string Name => stageName;

    public string IdOf(PlanRecord item) => item.Id;

    public string Format(PlanRecord output) => PlanJsonl.Format(output);

    public string IdOfRecord(string line, SourceLocation location) => PlanJsonl.Read(line, location) switch
    {
        { Reasoning: not null } record => record.Id,
        _ => throw new InputException(location, "a plan record without reasoning, which the thinking round does not write"),
    };

    public async Task<ItemResult<PlanRecord>> ProcessAsync(PlanRecord item, TeacherDialog teacher, CancellationToken cancellationToken)
    {
        var outcome = await teacher.AskAsync($"{item.Id}/thinking", Messages(item), reply => PlanThinking.Check(reply.Text, item.Plan), cancellationToken);
        return outcome switch
        {
            TeacherOutcome<RewrittenPlan>.Accepted { Value: var rewritten } => new ItemResult<PlanRecord>.Done(item with
            {
                Plan = rewritten.Plan,
                Reasoning = rewritten.Thinking,
                Requests = (item.Requests ?? []).Concat(outcome.RequestIds).ToEquatableList(),
            }),
            TeacherOutcome<RewrittenPlan>.Failed failed => new ItemResult<PlanRecord>.Quarantined($"writing the reasoning: {failed.Reason}", failed.Rejected),
            _ => throw new InvalidOperationException("unknown outcome"),
        };
    }

    /// <summary>The request for one generated plan's thinking.</summary>
    public IReadOnlyList<ChatMessage> Messages(PlanRecord plan)
    {
        var user = User.Fill(
            ("task", plan.Task),
            ("site", plan.Site),
            ("page", Observation.FitView(plan.InitialHtml, executor: false, maxPageTokens, counter).Shown),
            ("steps", plan.Plan.Steps.Count.ToString(CultureInfo.InvariantCulture)),
            ("plan", PlanText.Format(plan.Plan, PlanTextStyle.Target).TrimEnd()));
        return [new ChatMessage(ChatRole.System, EmbeddedText.Read(typeof(GeneratedPlanThinking), "thinking.generated.system.md")), new ChatMessage(ChatRole.User, user)];
    }
}
