using System.Text;
using PlanAct.Text;

namespace PlanAct.Html;

/// <summary>A page cut to fit a token budget.</summary>
internal sealed record BudgetedPage(string Html, bool Truncated)
{
    /// <summary>What a prompt shows for a page that renders to nothing, so the teacher is not left with an empty section.</summary>
    public const string EmptyNote = "(the page is empty)";

    /// <summary>The page as a prompt shows it: <see cref="Html"/>, or <see cref="EmptyNote"/>.</summary>
    public string Shown => Html.Length == 0 ? EmptyNote : Html;
}

/// <summary>Cuts a page to a token budget at a tag or word boundary, never inside a tag, and closes the tags left open.</summary>
internal static class PageBudget
{
    public static BudgetedPage Fit(string html, int maxTokens, TokenCounter counter)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxTokens);
        if (counter.CountBeyond(html, maxTokens) is not { } total || total <= maxTokens)
        {
            return new BudgetedPage(html, false);
        }

        var tokens = HtmlLexer.Tokenize(html);
        var cuts = CutPoints(html, tokens);

        // The longest prefix whose closed form fits. Every probe counts a whole candidate (a prefix and its closing tags
        // do not count as the sum of their parts), so probes are few: tokens grow about in proportion to characters, so
        // each probe aims where the budget should end between the nearest probe that fit and the nearest that did not,
        // a little past it after a fit and a little short after a miss, which brackets the answer in a few probes;
        // bisection takes over when two probes in a row land on one side. Bisection alone took some 14 counts a page.
        var (lo, hi) = (0, cuts.Count - 1);
        var best = new BudgetedPage("", true);
        (int Offset, int Count) fit = (0, 0), miss = (html.Length, total);
        var margin = Math.Max(2, maxTokens / 200);
        var (lastFit, sameSide) = (false, 0);
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            if (sameSide < 2 && hi - lo > 8)
            {
                var aim = maxTokens + (lastFit ? margin : -margin);
                var offset = fit.Offset + ((double)(aim - fit.Count) * (miss.Offset - fit.Offset) / Math.Max(1, miss.Count - fit.Count));
                mid = Math.Clamp(CutAtOrBefore(cuts, offset), lo, hi);
            }

            var candidate = Close(html, tokens, cuts[mid]);
            var count = counter.Count(candidate);
            var fits = count <= maxTokens;
            if (fits)
            {
                best = new BudgetedPage(candidate, true);
                lo = mid + 1;
                fit = (cuts[mid], count);
            }
            else
            {
                hi = mid - 1;
                miss = (cuts[mid], count);
            }

            sameSide = fits == lastFit ? sameSide + 1 : 0;
            lastFit = fits;
        }

        return best;
    }

    /// <summary>The index of the last cut at or before <paramref name="offset"/> (the first when there is none).</summary>
    private static int CutAtOrBefore(List<int> cuts, double offset)
    {
        var index = cuts.BinarySearch((int)Math.Clamp(offset, 0, int.MaxValue));
        return Math.Max(0, index >= 0 ? index : ~index - 1);
    }

    /// <summary>Offsets where the page may be cut: after every tag and at every space inside text.</summary>
    internal static List<int> CutPoints(string html, List<HtmlToken> tokens)
    {
        var cuts = new List<int> { 0 };
        foreach (var token in tokens)
        {
            if (token.Kind == HtmlTokenKind.Text)
            {
                for (var i = token.Start + 1; i < token.End; i++)
                {
                    if (html[i] == ' ' && html[i - 1] != ' ')
                    {
                        cuts.Add(i);
                    }
                }
            }

            cuts.Add(token.End);
        }

        return cuts;
    }

    internal static string Close(string html, List<HtmlToken> tokens, int cut)
    {
        var open = new List<string>();
        foreach (var token in tokens)
        {
            if (token.Start >= cut)
            {
                break;
            }

            if (token.Kind == HtmlTokenKind.StartTag && !token.SelfClosing && token.End <= cut)
            {
                open.Add(token.Name!);
            }
            else if (token.Kind == HtmlTokenKind.EndTag)
            {
                var index = open.FindLastIndex(n => n == token.Name);
                if (index >= 0)
                {
                    open.RemoveRange(index, open.Count - index);
                }
            }
        }

        var sb = new StringBuilder(html, 0, cut, cut + (open.Count * 8));
        for (var i = open.Count - 1; i >= 0; i--)
        {
            sb.Append(" </").Append(open[i]).Append('>');
        }

        return sb.ToString();
    }
}
