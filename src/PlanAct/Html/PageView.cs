using System.Collections.Concurrent;
using System.Text;

namespace PlanAct.Html;

/// <summary>How to render a page for a model.</summary>
internal sealed record PageViewOptions
{
    /// <summary>Keep <c>id="N"</c>: the executor needs ids to name elements; the planner does not.</summary>
    public bool KeepIds { get; init; }

    /// <summary>Keep <c>data-bbox</c> coordinates.</summary>
    public bool KeepBoundingBoxes { get; init; }

    /// <summary>Drop <c>data-text</c> when the element's own text already says the same.</summary>
    public bool DropRedundantText { get; init; } = true;

    /// <summary>Unwrap layout elements (div, span, …) left with no attributes, and drop empty ones.</summary>
    public bool Compact { get; init; } = true;
}

/// <summary>
/// Renders simplified pages for the models: the <see cref="Planner"/> view keeps text and meaning but no ids or
/// coordinates; the <see cref="Executor"/> view keeps the element ids the actions refer to.
/// </summary>
internal static class PageView
{
    public static PageViewOptions Planner { get; } = new();

    public static PageViewOptions Executor { get; } = new() { KeepIds = true };

    /// <summary>Elements that only lay out the page: unwrapped when nothing marks them.</summary>
    private static readonly HashSet<string> LayoutElements =
        ["html", "body", "div", "span", "section", "main", "header", "footer", "nav", "article", "aside", "ul", "ol", "li", "p", "b", "strong", "i", "em", "font", "center", "tbody", "thead", "use", "svg", "g", "path"];

    /// <summary>Elements that mean something even when empty (a text box, a picture).</summary>
    private static readonly HashSet<string> MeaningfulWhenEmpty = ["input", "textarea", "select", "img", "button", "iframe"];

    public static string Render(string html, PageViewOptions options) => RenderViews(html, options)[0];

    /// <summary>Several views of one page from a single parse (inspect and the stages want planner and executor views).</summary>
    public static string[] RenderViews(string html, params PageViewOptions[] views)
    {
        // The tree is the token list and where each element ends, and attributes are offsets into the page: a view
        // copies the page's characters straight into its output. A page is rendered for every prompt, so what it
        // allocates is much of what a teacher request allocates: the working buffers are kept for the next page.
        var buffers = RenderBuffers.Rent();
        try
        {
            var tokens = HtmlLexer.Tokenize(html, buffers.Tokens);
            buffers.Ends = HtmlLexer.ElementEnds(tokens, buffers.Ends, buffers.Open);
            buffers.Builder.EnsureCapacity(html.Length);
            var renderer = new Renderer(html, tokens, buffers.Ends, buffers.Builder);
            var result = new string[views.Length];
            for (var v = 0; v < views.Length; v++)
            {
                result[v] = renderer.Render(views[v]);
            }

            return result;
        }
        finally
        {
            // An unusually large page does not keep its buffers for the rest of the run.
            if (html.Length <= RenderBuffers.MaxKeptChars)
            {
                buffers.Return();
            }
        }
    }

    /// <summary>What rendering a page works in, kept for a next page.</summary>
    private sealed class RenderBuffers
    {
        /// <summary>Pages longer than this leave their buffers behind: a set of buffers is a few megabytes at the most.</summary>
        public const int MaxKeptChars = 1 << 18;

        /// <summary>
        /// At most one set per core is kept, however many threads the thread pool has grown to: more renders at once
        /// than cores only take turns on them, and their buffers are left to the collector.
        /// </summary>
        private static readonly ConcurrentQueue<RenderBuffers> Kept = new();

        private static int s_kept;

        public static RenderBuffers Rent()
        {
            if (Kept.TryDequeue(out var buffers))
            {
                Interlocked.Decrement(ref s_kept);
                return buffers;
            }

            return new RenderBuffers();
        }

        public void Return()
        {
            Builder.Clear();
            if (Interlocked.Increment(ref s_kept) <= Environment.ProcessorCount)
            {
                Kept.Enqueue(this);
            }
            else
            {
                Interlocked.Decrement(ref s_kept);
            }
        }

        public List<HtmlToken> Tokens { get; } = [];

        public List<int> Open { get; } = [];

        public int[]? Ends { get; set; }

        public StringBuilder Builder { get; } = new();
    }

    private sealed class Renderer(string html, List<HtmlToken> tokens, int[] ends, StringBuilder sb)
    {
        /// <summary>The attributes of the elements being rendered, outermost first; each element pushes and pops its own.</summary>
        private readonly List<HtmlAttribute> _attributes = [];

        private PageViewOptions _options = Planner;

        public string Render(PageViewOptions options)
        {
            _options = options;
            sb.Clear();
            RenderRange(0, tokens.Count);
            return sb.ToString().Trim();
        }

        private void RenderRange(int from, int to)
        {
            for (var i = from; i < to; i++)
            {
                var token = tokens[i];
                if (token.Kind == HtmlTokenKind.Text)
                {
                    AppendText(sb, html.AsSpan(token.Start, token.Length));
                }
                else if (token.Kind == HtmlTokenKind.StartTag)
                {
                    RenderElement(i);
                    i = ends[i];
                }
            }
        }

        private void RenderElement(int index)
        {
            var name = tokens[index].Name!;
            var first = _attributes.Count;
            HtmlLexer.Attributes(html, tokens[index], _attributes);
            var checksText = _options.DropRedundantText && FirstDataText(first) is { HasValue: true };
            var kept = first;
            for (var a = first; a < _attributes.Count; a++)
            {
                if (Keep(_attributes[a], index, checksText))
                {
                    _attributes[kept++] = _attributes[a];
                }
            }

            _attributes.RemoveRange(kept, _attributes.Count - kept);
            var hasAttributes = kept > first;
            var start = sb.Length;
            var unwrap = _options.Compact && !hasAttributes && LayoutElements.Contains(name);
            if (!unwrap)
            {
                Space(sb);
                sb.Append('<').Append(name);
                for (var a = first; a < kept; a++)
                {
                    var attribute = _attributes[a];
                    sb.Append(' ').Append(attribute.Name(html));
                    if (attribute.HasValue)
                    {
                        sb.Append("=\"").Append(attribute.Value(html)).Append('"');
                    }
                }

                sb.Append('>');
            }

            var contentStart = sb.Length;
            RenderRange(index + 1, ends[index]);
            _attributes.RemoveRange(first, _attributes.Count - first);
            if (unwrap)
            {
                return;
            }

            var empty = sb.Length == contentStart;
            if (_options.Compact && empty && !hasAttributes && !MeaningfulWhenEmpty.Contains(name))
            {
                sb.Length = start;
                return;
            }

            Space(sb);
            sb.Append("</").Append(name).Append('>');
        }

        /// <summary>The element's first <c>data-text</c> attribute, whatever its case.</summary>
        private HtmlAttribute? FirstDataText(int first)
        {
            for (var a = first; a < _attributes.Count; a++)
            {
                if (_attributes[a].Name(html).Equals("data-text", StringComparison.OrdinalIgnoreCase))
                {
                    return _attributes[a];
                }
            }

            return null;
        }

        private bool Keep(HtmlAttribute attribute, int element, bool checksText)
        {
            var name = attribute.Name(html);
            return LowersTo(name, "id") ? _options.KeepIds
                : LowersTo(name, "data-bbox") ? _options.KeepBoundingBoxes
                : !LowersTo(name, "data-text") || !checksText || !SaysOwnText(attribute.Value(html), element);
        }

        /// <summary>Whether <paramref name="value"/> has the words of the element's text (all the text inside it), spaces aside.</summary>
        private bool SaysOwnText(ReadOnlySpan<char> value, int element)
        {
            var at = 0;
            for (var i = element + 1; i < ends[element]; i++)
            {
                if (tokens[i].Kind != HtmlTokenKind.Text)
                {
                    continue;
                }

                var text = html.AsSpan(tokens[i].Start, tokens[i].Length);
                for (var word = NextWord(text, 0); word.Length > 0; word = NextWord(text, word.End))
                {
                    var mine = NextWord(value, at);
                    if (!value[mine.Start..mine.End].SequenceEqual(text[word.Start..word.End]))
                    {
                        return false;
                    }

                    at = mine.End;
                }
            }

            return NextWord(value, at).Length == 0;
        }
    }

    /// <summary>Whether <paramref name="name"/> lower-cased (invariant culture, char by char) is <paramref name="lower"/>.</summary>
    private static bool LowersTo(ReadOnlySpan<char> name, string lower)
    {
        if (name.Length != lower.Length)
        {
            return false;
        }

        for (var i = 0; i < name.Length; i++)
        {
            if (char.ToLowerInvariant(name[i]) != lower[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The next run of non-white-space characters at or after <paramref name="from"/>; empty at the end.</summary>
    private static (int Start, int End, int Length) NextWord(ReadOnlySpan<char> text, int from)
    {
        var start = from;
        while (start < text.Length && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        var end = start;
        while (end < text.Length && !char.IsWhiteSpace(text[end]))
        {
            end++;
        }

        return (start, end, end - start);
    }

    /// <summary>Appends the words of <paramref name="text"/> separated by single spaces, without a collapsed copy.</summary>
    private static void AppendText(StringBuilder sb, ReadOnlySpan<char> text)
    {
        for (var word = NextWord(text, 0); word.Length > 0; word = NextWord(text, word.End))
        {
            Space(sb);
            sb.Append(text[word.Start..word.End]);
        }
    }

    private static void Space(StringBuilder sb)
    {
        if (sb.Length > 0 && sb[^1] != ' ')
        {
            sb.Append(' ');
        }
    }
}
