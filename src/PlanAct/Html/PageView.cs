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
        var nodes = HtmlLexer.Parse(html);
        var sb = new StringBuilder(html.Length);
        var result = new string[views.Length];
        for (var v = 0; v < views.Length; v++)
        {
            sb.Clear();
            foreach (var node in nodes)
            {
                RenderNode(sb, node, views[v]);
            }

            result[v] = sb.ToString().Trim();
        }

        return result;
    }

    private static void RenderNode(StringBuilder sb, HtmlNode node, PageViewOptions options)
    {
        switch (node)
        {
            case HtmlText text:
                AppendText(sb, text.Text);
                break;
            case HtmlElement element:
                RenderElement(sb, element, options);
                break;
        }
    }

    private static void RenderElement(StringBuilder sb, HtmlElement element, PageViewOptions options)
    {
        var ownText = options.DropRedundantText && element.Attribute("data-text") is not null ? Collapse(TextOf(element)) : null;
        var attributes = element.Attributes.Where(a => Keep(a, ownText, options)).ToList();
        var start = sb.Length;
        var unwrap = options.Compact && attributes.Count == 0 && LayoutElements.Contains(element.Name);
        if (!unwrap)
        {
            Space(sb);
            sb.Append('<').Append(element.Name);
            foreach (var (name, value) in attributes)
            {
                sb.Append(' ').Append(name);
                if (value is not null)
                {
                    sb.Append("=\"").Append(value).Append('"');
                }
            }

            sb.Append('>');
        }

        var contentStart = sb.Length;
        foreach (var child in element.Children)
        {
            RenderNode(sb, child, options);
        }

        if (unwrap)
        {
            return;
        }

        var empty = sb.Length == contentStart;
        if (options.Compact && empty && attributes.Count == 0 && !MeaningfulWhenEmpty.Contains(element.Name))
        {
            sb.Length = start;
            return;
        }

        Space(sb);
        sb.Append("</").Append(element.Name).Append('>');
    }

    private static bool Keep(KeyValuePair<string, string?> attribute, string? ownText, PageViewOptions options) => attribute.Key.ToLowerInvariant() switch
    {
        "id" => options.KeepIds,
        "data-bbox" => options.KeepBoundingBoxes,
        "data-text" => ownText is null || !string.Equals(Collapse(attribute.Value ?? ""), ownText, StringComparison.Ordinal),
        _ => true,
    };

    private static string TextOf(HtmlElement element)
    {
        var sb = new StringBuilder();
        void Walk(HtmlNode node)
        {
            if (node is HtmlText text)
            {
                sb.Append(text.Text).Append(' ');
            }
            else if (node is HtmlElement child)
            {
                child.Children.ForEach(Walk);
            }
        }

        Walk(element);
        return sb.ToString();
    }

    private static string Collapse(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>Appends the words of <paramref name="text"/> separated by single spaces, without a collapsed copy.</summary>
    private static void AppendText(StringBuilder sb, string text)
    {
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i > start)
            {
                Space(sb);
                sb.Append(text, start, i - start);
            }
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
