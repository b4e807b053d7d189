using Microsoft.Extensions.AI;
using PlanAct.Html;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Stages.Generation;
using PlanAct.Text;

namespace PlanAct.Stages.Augment;

/// <summary>
/// The requests of targeted augmentation (SPEC §2.5): one per labelled record whose class is not Other, showing that
/// record with its first page and asking for exactly one new pair of the same intent with other values and wording.
/// </summary>
internal sealed class AugmentPrompts(int maxPageTokens, TokenCounter counter)
{
    public const string StageName = "augment";

    /// <summary>The records that seed a request: labelled, and not Other.</summary>
    public static bool IsTarget(PlanRecord record) => record.Label is { Class: var c } && c != FailureLabel.Other;

    /// <summary>One request per target record, in input order.</summary>
    public IEnumerable<GenerationRequest> Requests(IEnumerable<PlanRecord> targets) =>
        targets.Select((record, index) => GenerationRequest.Create(StageName, index, record.Site, [record], Messages(record)));

    public IReadOnlyList<ChatMessage> Messages(PlanRecord record)
    {
        var page = Observation.FitView(record.InitialHtml, executor: false, maxPageTokens, counter).Html;
        var user = PromptTemplate.Load(typeof(AugmentPrompts), "augment.user.md").Fill(
            ("site", record.Site),
            ("class", record.Label!.Class),
            ("why", record.Label.Reasoning.ReplaceLineEndings(" ")),
            ("query", record.Task),
            ("page", page),
            ("plan", PlanText.Format(record.Plan, PlanTextStyle.Target).Trim()));
        return [new ChatMessage(ChatRole.System, EmbeddedText.Read(typeof(AugmentPrompts), "augment.system.md")), new ChatMessage(ChatRole.User, user)];
    }
}
