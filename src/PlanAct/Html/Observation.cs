using System.Text.RegularExpressions;
using PlanAct.Text;

namespace PlanAct.Html;

/// <summary>What a step's observation text is.</summary>
internal enum ObservationKind
{
    /// <summary>WebRL simplified HTML: interactive elements carry <c>id="N"</c>.</summary>
    WebRlHtml,

    /// <summary>HTML as the browser had it (BrowserGym elements carry <c>bid="N"</c>).</summary>
    Html,

    /// <summary>An accessibility tree as text: <c>[bid] role 'name'</c> lines indented with tabs (BrowserGym <c>axtree_txt</c>).</summary>
    AxTree,

    /// <summary>A list of labelled elements, <c>[N]: &lt;tag&gt; "text";</c> (WebVoyager).</summary>
    ElementList,

    /// <summary>No text was recorded (a screenshot-only step, an observation omitted in context); see <see cref="Observation.MissingText"/>.</summary>
    Missing,
}

/// <summary>
/// Observations of every kind as the models see them: planner and executor views (only the executor keeps element
/// ids), token budgets that cut only between lines, tags or words, and where a step's element should be found.
/// </summary>
internal static partial class Observation
{
    /// <summary>The text a step holds when its source recorded no observation; shown as it is, never filled in.</summary>
    public const string MissingText = "(no observation was recorded for this step)";

    public static string Name(this ObservationKind kind) => kind switch
    {
        ObservationKind.Html => "html",
        ObservationKind.AxTree => "axtree",
        ObservationKind.ElementList => "element-list",
        ObservationKind.Missing => "missing",
        _ => "webrl-html",
    };

    public static bool TryParseName(string? name, out ObservationKind kind)
    {
        foreach (var candidate in Enum.GetValues<ObservationKind>())
        {
            if (string.Equals(candidate.Name(), name, StringComparison.OrdinalIgnoreCase))
            {
                kind = candidate;
                return true;
            }
        }

        kind = ObservationKind.WebRlHtml;
        return false;
    }

    /// <summary>
    /// The kind of an observation from its text, for texts that travel without their kind (a plan record's first page):
    /// HTML starts with a tag (raw HTML when elements carry <c>bid=</c> and none carries <c>id="N"</c>), an element list
    /// with <c>[N]:</c>, an accessibility tree with a root line or <c>[bid] role</c> lines.
    /// </summary>
    public static ObservationKind Detect(string text)
    {
        var start = text.AsSpan().TrimStart();
        if (start.Length == 0 || text == MissingText)
        {
            return text == MissingText ? ObservationKind.Missing : ObservationKind.WebRlHtml;
        }

        if (start[0] == '<')
        {
            return !WebRlId().IsMatch(text) && text.Contains(" bid=\"", StringComparison.Ordinal) ? ObservationKind.Html : ObservationKind.WebRlHtml;
        }

        if (ElementListStart().IsMatch(text))
        {
            return ObservationKind.ElementList;
        }

        return AxTreeLine().IsMatch(text) || start.StartsWith("RootWebArea") ? ObservationKind.AxTree : ObservationKind.WebRlHtml;
    }

    /// <summary>What a planner sees: no element ids or coordinates.</summary>
    public static string Planner(string text, ObservationKind? kind = null) => Render(text, kind ?? Detect(text), executor: false);

    /// <summary>What an executor sees: the element ids its actions name.</summary>
    public static string Executor(string text, ObservationKind? kind = null) => Render(text, kind ?? Detect(text), executor: true);

    private static string Render(string text, ObservationKind kind, bool executor) => kind switch
    {
        ObservationKind.WebRlHtml or ObservationKind.Html => PageView.Render(text, executor ? PageView.Executor : PageView.Planner),
        ObservationKind.AxTree => executor ? TrimLines(text) : AxTreeBid().Replace(TrimLines(text), "$1"),
        ObservationKind.ElementList => string.Join('\n', Elements(text).Select(e => executor ? e : ElementLabel().Replace(e, ""))),
        _ => text,
    };

    /// <summary>The planner's (or executor's) view of an observation cut to a token budget, the kind told from the text when not given.</summary>
    public static BudgetedPage FitView(string text, bool executor, int maxTokens, TokenCounter counter, ObservationKind? kind = null)
    {
        var actual = kind ?? Detect(text);
        return Fit(Render(text, actual, executor), maxTokens, counter, actual);
    }

    /// <summary>
    /// Cuts a rendered observation to a token budget: HTML at a tag or word (closing the tags left open), line-based
    /// kinds after a whole line. A missing observation is never cut.
    /// </summary>
    public static BudgetedPage Fit(string rendered, int maxTokens, TokenCounter counter, ObservationKind? kind = null)
    {
        var actual = kind ?? Detect(rendered);
        return actual switch
        {
            ObservationKind.AxTree or ObservationKind.ElementList => FitLines(rendered, maxTokens, counter),
            ObservationKind.Missing => new BudgetedPage(rendered, false),
            _ => PageBudget.Fit(rendered, maxTokens, counter),
        };
    }

    /// <summary>Whether the observation shows the element an action names (<c>id="N"</c>, <c>bid="N"</c>, <c>[N]</c>); null when it cannot tell.</summary>
    public static bool? Shows(string text, ObservationKind kind, string element) => kind switch
    {
        ObservationKind.WebRlHtml => text.Contains($"id=\"{element}\"", StringComparison.Ordinal),
        ObservationKind.Html => text.Contains($"bid=\"{element}\"", StringComparison.Ordinal),
        ObservationKind.AxTree => text.Contains($"[{element}] ", StringComparison.Ordinal),
        ObservationKind.ElementList => text.Contains($"[{element}]:", StringComparison.Ordinal),
        _ => null,
    };

    /// <summary>The page's address when the observation names it (the root line of an accessibility tree).</summary>
    public static string? UrlOf(string text, ObservationKind kind) =>
        kind == ObservationKind.AxTree && RootUrl().Match(text) is { Success: true } match ? match.Groups["url"].Value : null;

    /// <summary>The elements of a WebVoyager list, one per line: <c>[N]: &lt;tag&gt; "text";</c>.</summary>
    private static IEnumerable<string> Elements(string text) =>
        ElementSeparator().Split(text.Trim()).Select(e => e.Trim()).Where(e => e.Length > 0).Select(e => e.EndsWith(';') ? e : e + ";");

    private static string TrimLines(string text) => string.Join('\n', text.ReplaceLineEndings("\n").Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0));

    private static BudgetedPage FitLines(string text, int maxTokens, TokenCounter counter)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxTokens);
        if (counter.AtMost(text, maxTokens))
        {
            return new BudgetedPage(text, false);
        }

        var lines = text.Split('\n');
        var (lo, hi, best) = (0, lines.Length, 0);
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            if (counter.Count(string.Join('\n', lines, 0, mid)) <= maxTokens)
            {
                best = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return new BudgetedPage(string.Join('\n', lines, 0, best), true);
    }

    [GeneratedRegex(@"\sid=""\d+""", RegexOptions.CultureInvariant)]
    private static partial Regex WebRlId();

    [GeneratedRegex(@"\A\s*\[\d+\]:", RegexOptions.CultureInvariant)]
    private static partial Regex ElementListStart();

    [GeneratedRegex(@"^\t*\[[^\]\s]+\] \S", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex AxTreeLine();

    [GeneratedRegex(@"^(\t*)\[[^\]\s]+\] ", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex AxTreeBid();

    [GeneratedRegex(@"^\[\d+\]:\s*", RegexOptions.CultureInvariant)]
    private static partial Regex ElementLabel();

    [GeneratedRegex(@"(?<=;)\s*(?=\[\d+\]:)", RegexOptions.CultureInvariant)]
    private static partial Regex ElementSeparator();

    [GeneratedRegex(@"\Aroot(?:webarea)?\b[^\n]*?\burl='(?<url>[^']*)'", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RootUrl();
}
