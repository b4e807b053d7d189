using PlanAct.Html;

namespace PlanAct.Training;

/// <summary>How pages are put into prompts: rendered as a model view, then cut to a token budget.</summary>
public sealed record ExamplePageOptions
{
    public const int DefaultMaxPageTokens = 4096;

    /// <summary>The most tokens a page may take in a prompt; longer pages are cut at a tag or word boundary.</summary>
    public int MaxPageTokens { get; init; } = DefaultMaxPageTokens;

    public TokenCounter Counter { get; init; } = TokenCounter.O200k;

    /// <summary>What a turn shows when the page renders to nothing.</summary>
    public const string EmptyPage = "(the page is empty)";

    /// <summary>The page as a turn shows it: its fitted view, or <see cref="EmptyPage"/>.</summary>
    public static string Shown(BudgetedPage page) => page.Html.Length == 0 ? EmptyPage : page.Html;

    public BudgetedPage Fit(string html, PageViewOptions view) => PageBudget.Fit(PageView.Render(html, view), MaxPageTokens, Counter);
}
