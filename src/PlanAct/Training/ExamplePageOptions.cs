using PlanAct.Text;
using PlanAct.Training.Profiles;

namespace PlanAct.Training;

/// <summary>How examples are laid out: the prompt profile, and the page budget that overrides the profile's.</summary>
internal sealed record ExamplePageOptions
{
    /// <summary>The page budget of the <c>planact</c> profile.</summary>
    public const int DefaultMaxPageTokens = 4096;

    public PromptProfile Profile { get; init; } = PromptProfile.PlanAct;

    /// <summary>The most tokens a page may take in a prompt (longer pages are cut at a tag or word boundary); null keeps the profile's budget.</summary>
    public int? MaxPageTokens { get; init; }

    public TokenCounter Counter { get; init; } = TokenCounter.O200k;

    /// <summary>
    /// Executor examples carry the source agent's own reasoning for each step (ADP's description, WebVoyager's
    /// Thought) as their reasoning, where the source recorded one: <c>--reasoning source</c>.
    /// </summary>
    public bool SourceReasoning { get; init; }

    public PromptSettings Settings => new() { MaxPageTokens = MaxPageTokens, Counter = Counter };
}
