using PlanAct.Html;
using PlanAct.Text;

namespace PlanAct.Tests.Html;

public class PageTests
{
    [Fact]
    public void Planner_view_drops_ids_and_boxes_and_keeps_text_and_meaning()
    {
        var page = TestPaths.StartPages["shopping"];
        var view = PageView.Render(page, PageView.Planner);
        Assert.DoesNotContain("id=\"", view, StringComparison.Ordinal);
        Assert.DoesNotContain("data-bbox", view, StringComparison.Ordinal);
        Assert.Contains("My Wish List", view, StringComparison.Ordinal);
        Assert.Contains("placeholder=\"Search entire store here...\"", view, StringComparison.Ordinal);
        Assert.Contains("<input type=\"text\"", view, StringComparison.Ordinal);
        Assert.True(TokenCounter.O200k.Count(view) * 2 < TokenCounter.O200k.Count(page), "the planner view should be far smaller");
    }

    [Fact]
    public void Executor_view_keeps_every_element_id()
    {
        foreach (var page in TestPaths.StartPages.Values)
        {
            var view = PageView.Render(page, PageView.Executor);
            var ids = System.Text.RegularExpressions.Regex.Matches(page, "id=\"(\\d+)\"").Select(m => m.Groups[1].Value).ToHashSet();
            foreach (var id in ids)
            {
                Assert.Contains($"id=\"{id}\"", view, StringComparison.Ordinal);
            }

            Assert.DoesNotContain("data-bbox", view, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("<div data-bbox=\"1,2,3,4\"> <span> </span> <a id=\"3\" data-text=\"Go\"> Go </a> </div>", "<a> Go </a>", "<a id=\"3\"> Go </a>")]
    [InlineData("<a data-text=\"Reviews\" id=\"1\"> 12 </a>", "<a data-text=\"Reviews\"> 12 </a>", "<a data-text=\"Reviews\" id=\"1\"> 12 </a>")]
    [InlineData("<div title=\"x > y\"> text </div>", "<div title=\"x > y\"> text </div>", "<div title=\"x > y\"> text </div>")]
    [InlineData("a < b and <b>bold</b> <!-- c --> end", "a < b and bold end", "a < b and bold end")]
    [InlineData("<input id=\"2\" type=\"text\"> </input>", "<input type=\"text\"> </input>", "<input id=\"2\" type=\"text\"> </input>")]
    [InlineData("<p> unclosed <a id=\"1\" title=\"cut", "unclosed <a title=\"cut\"> </a>", "unclosed <a id=\"1\" title=\"cut\"> </a>")]
    [InlineData("", "", "")]

    // Upper-case names, text said again in data-text whatever its spacing, an end tag closing what was opened inside
    // it, a stray end tag, a self-closing tag (vectors from the renderer before it worked on offsets into the page).
    [InlineData("<DIV Data-Text=\"a  b\">a <b>b</b></DIV><P id=1>x<span>y</div> z</p></x><img/><input data-text='q'>q", "a b x y z <img> </img> <input> q </input>", "a b <p id=\"1\"> x y z </p> <img> </img> <input> q </input>")]
    [InlineData("<a href=x data-text>t</a><a data-text=\"\" data-text=\"t\">t</a><ul><li></li></ul><select></select>", "<a href=\"x\" data-text> t </a> <a data-text=\"\"> t </a> <select> </select>", "<a href=\"x\" data-text> t </a> <a data-text=\"\"> t </a> <select> </select>")]
    [InlineData("<div data-bbox=\"1,2\" id=\"3\">t<!-- c --><br></div></div>< notatag <1> end", "t < notatag <1> end", "<div id=\"3\"> t </div> < notatag <1> end")]
    public void Views_on_nasty_pages(string page, string planner, string executor)
    {
        Assert.Equal(planner, PageView.Render(page, PageView.Planner));
        Assert.Equal(executor, PageView.Render(page, PageView.Executor));
    }

    [Fact]
    public void Views_without_compaction_keep_every_element_and_attribute()
    {
        var page = "<DIV Data-Text=\"a  b\">a <b>b</b></DIV><a href=x data-text>t</a><a data-text=\"\" data-text=\"t\">t</a><ul><li></li></ul>";
        var views = PageView.RenderViews(page, new PageViewOptions { Compact = false, DropRedundantText = false }, new PageViewOptions { KeepIds = true, KeepBoundingBoxes = true });
        Assert.Equal("<div Data-Text=\"a  b\"> a <b> b </b> </div> <a href=\"x\" data-text> t </a> <a data-text=\"\" data-text=\"t\"> t </a> <ul> <li> </li> </ul>", views[0]);
        Assert.Equal("a b <a href=\"x\" data-text> t </a> <a data-text=\"\"> t </a>", views[1]);
    }

    [Fact]
    public void Token_counts_work_offline_in_both_encodings()
    {
        Assert.Equal(2, TokenCounter.O200k.Count("hello world"));
        Assert.Equal(2, TokenCounter.Cl100k.Count("hello world"));
        Assert.Same(TokenCounter.Cl100k, TokenCounter.ForModel("gpt-4-turbo"));
        Assert.Same(TokenCounter.O200k, TokenCounter.ForModel("gpt-4o-mini"));
        Assert.Same(TokenCounter.O200k, TokenCounter.ForEncoding("o200k_base"));
        Assert.Throws<ArgumentException>(() => TokenCounter.ForEncoding("p50k"));
    }

    [Theory]
    [InlineData(100)]
    [InlineData(200)]
    [InlineData(777)]
    public void Budget_cuts_between_tags_and_closes_what_is_open(int budget)
    {
        var page = TestPaths.StartPages["gitlab"];
        var fitted = PageBudget.Fit(page, budget, TokenCounter.O200k);
        var tokens = TokenCounter.O200k.Count(fitted.Html);
        Assert.True(fitted.Truncated);
        Assert.True(tokens <= budget);
        Assert.True(tokens > budget * 0.8, $"used only {tokens} of {budget} tokens");

        // Everything before the closing tags is a prefix of the page, cut outside any tag.
        var body = fitted.Html;
        while (System.Text.RegularExpressions.Regex.IsMatch(body, @" </[a-z0-9]+>$"))
        {
            body = System.Text.RegularExpressions.Regex.Replace(body, @" </[a-z0-9]+>$", "");
        }

        Assert.StartsWith(body, page, StringComparison.Ordinal);
        Assert.Equal(body.Count(c => c == '<'), body.Count(c => c == '>'));

        // Tags are balanced after closing.
        var opens = System.Text.RegularExpressions.Regex.Count(fitted.Html, "<([a-z0-9]+)[ >]");
        var closes = System.Text.RegularExpressions.Regex.Count(fitted.Html, "</[a-z0-9]+>");
        Assert.Equal(opens, closes);
    }

    [Fact]
    public void Budget_finds_the_same_cut_as_bisection_on_every_start_page_and_budget()
    {
        // Bisection over the same cut points is the reference: it counts some 14 candidates a page, the search fewer.
        foreach (var page in TestPaths.StartPages.Values)
        {
            foreach (var budget in new[] { 1, 17, 100, 333, 1000, 2048, 4096 })
            {
                var fitted = PageBudget.Fit(page, budget, TokenCounter.O200k);
                Assert.Equal(Bisected(page, budget), fitted.Html);
                Assert.Equal(TokenCounter.O200k.Count(page) > budget, fitted.Truncated);
            }
        }
    }

    /// <summary>The longest closed prefix that fits, by bisection over the page's cut points.</summary>
    private static string Bisected(string page, int budget)
    {
        if (TokenCounter.O200k.Count(page) <= budget)
        {
            return page;
        }

        var tokens = HtmlLexer.Tokenize(page);
        var cuts = PageBudget.CutPoints(page, tokens);
        var (lo, hi, best) = (0, cuts.Count - 1, "");
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            var candidate = PageBudget.Close(page, tokens, cuts[mid]);
            if (TokenCounter.O200k.Count(candidate) <= budget)
            {
                (best, lo) = (candidate, mid + 1);
            }
            else
            {
                hi = mid - 1;
            }
        }

        return best;
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello world")]
    [InlineData("<div> Prix : 12,99 € — déjà vu 東京 🙂 </div>")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void At_most_agrees_with_the_count_at_every_budget(string text)
    {
        // Below the text's byte length it must count; at or above it, it may answer without counting: the same answer.
        foreach (var counter in new[] { TokenCounter.O200k, TokenCounter.Cl100k })
        {
            var tokens = counter.Count(text);
            for (var budget = 0; budget <= System.Text.Encoding.UTF8.GetByteCount(text) + 1; budget++)
            {
                Assert.Equal(tokens <= budget, counter.AtMost(text, budget));
            }
        }
    }

    [Fact]
    public void A_page_within_budget_is_unchanged()
    {
        var page = TestPaths.StartPages["reddit"];
        var fitted = PageBudget.Fit(page, 100_000, TokenCounter.O200k);
        Assert.False(fitted.Truncated);
        Assert.Same(page, fitted.Html);
    }
}
