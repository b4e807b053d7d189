namespace PlanAct.Training.Profiles;

/// <summary>How a page is rendered into a prompt.</summary>
internal enum PageRenderer
{
    /// <summary>PlanAct's compact views (<see cref="Html.PageView"/>): layout elements unwrapped, redundant text dropped.</summary>
    Compact,

    /// <summary>The Plan-and-Act reference's prettified rendering (<see cref="Html.ReferencePageView"/>).</summary>
    Reference,
}

/// <summary>What an earlier round shows in place of its page.</summary>
internal enum EarlierPage
{
    /// <summary>A fixed text (PlanAct: <c>** Simplified html **</c>).</summary>
    Placeholder,

    /// <summary>The part of the page around the element acted on (the reference's earlier-round snippet).</summary>
    Snippet,

    /// <summary>Nothing: the slot is empty.</summary>
    None,
}

/// <summary>Where the reasoning behind an answer goes.</summary>
internal enum ReasoningPlacement
{
    /// <summary>Kept in the example's <c>reasoning</c> field; <c>export --with-reasoning</c> puts it in front as a think block.</summary>
    Separate,

    /// <summary>Never shown.</summary>
    None,

    /// <summary>In front of the answer: <c>&lt;think&gt;\n…\n&lt;/think&gt;\n\n</c>.</summary>
    ThinkBlock,

    /// <summary>
    /// In front of the answer, closed by a bare <c>&lt;/think&gt;</c>: <c>…\n&lt;/think&gt;\n\n</c>. The runtime opens the
    /// think block itself (a reasoning model's chat template ends the prompt with <c>&lt;think&gt;\n</c>).
    /// </summary>
    ThinkClose,
}

/// <summary>The page rendering of a role.</summary>
/// <param name="Renderer">Which renderer.</param>
/// <param name="Ids">Keep element ids (the executor names elements by id; the planner does not).</param>
/// <param name="MaxTokens">The most tokens a page may take (cut at a tag or word boundary), or null for no limit.</param>
/// <param name="Empty">What an empty page shows.</param>
internal sealed record PageLayout(PageRenderer Renderer, bool Ids, int? MaxTokens, string Empty);

/// <summary>How an answer (a plan or an action) is laid out as an assistant message.</summary>
/// <param name="Reasoning">Where its reasoning goes.</param>
/// <param name="Open">The tag before the answer, or null for none.</param>
/// <param name="Close">The tag after the answer (with <paramref name="Open"/>).</param>
/// <param name="Padding">What separates the tags from the answer.</param>
internal sealed record AnswerLayout(ReasoningPlacement Reasoning, string? Open, string? Close, string Padding)
{
    public static AnswerLayout Bare { get; } = new(ReasoningPlacement.Separate, null, null, "\n");

    /// <summary>The answer needs reasoning to be laid out.</summary>
    public bool NeedsReasoning => Reasoning is ReasoningPlacement.ThinkBlock or ReasoningPlacement.ThinkClose;
}

/// <summary>How a list of actions, or the single action just taken, fills a slot.</summary>
/// <param name="Item">One action: <c>{{number}}</c> (from 1), <c>{{index}}</c> (from 0), <c>{{action}}</c>, <c>{{numbered}}</c> (PlanAct's numbered form).</param>
/// <param name="Separator">Between items.</param>
/// <param name="None">When there is no action.</param>
internal sealed record ActionListLayout(ProfileTemplate Item, string Separator, string None);

/// <summary>The turns of one role. Templates not used by a role are null.</summary>
internal sealed record RoleLayout
{
    public ProfileTemplate? System { get; init; }

    /// <summary>The first user turn (the planner's only one).</summary>
    public required ProfileTemplate FirstTurn { get; init; }

    /// <summary>Each later user turn.</summary>
    public ProfileTemplate? LaterTurn { get; init; }

    /// <summary>The current turn when it is the first (defaults to <see cref="FirstTurn"/>).</summary>
    public ProfileTemplate? CurrentFirstTurn { get; init; }

    /// <summary>The current turn when it is a later one (defaults to <see cref="LaterTurn"/>).</summary>
    public ProfileTemplate? CurrentLaterTurn { get; init; }

    /// <summary>Replanner: earlier rounds are turns of their own, answered by the plan written then.</summary>
    public bool History { get; init; }

    public required PageLayout Page { get; init; }

    public EarlierPage EarlierPages { get; init; } = EarlierPage.Placeholder;

    public string Placeholder { get; init; } = "";

    /// <summary>The assistant turns of earlier rounds.</summary>
    public AnswerLayout EarlierAnswers { get; init; } = AnswerLayout.Bare with { Reasoning = ReasoningPlacement.None };

    public required AnswerLayout Target { get; init; }

    public ActionListLayout? Actions { get; init; }

    public ActionListLayout? LastAction { get; init; }
}
