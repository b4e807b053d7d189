using System.Text;

namespace PlanAct.Html;

/// <summary>How to render a page for a model.</summary>
public sealed record PageViewOptions
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
public static class PageView
{
    public static PageViewOptions Planner { get; } = new();

    public static PageViewOptions Executor { get; } = new() { KeepIds = true };

    /// <summary>Elements that only lay out the page: unwrapped when nothing marks them.</summary>
    private static readonly HashSet<string> LayoutElements =
        ["html", "body", "div", "span", "section", "main", "header", "footer", "nav", "article", "aside", "ul", "ol", "li", "p", "b", "strong", "i", "em", "font", "center", "tbody", "thead", "use", "svg", "g", "path"];

    /// <summary>Elements that mean something even when empty (a text box, a picture).</summary>
    private static readonly HashSet<string> MeaningfulWhenEmpty = ["input", "textarea", "select", "img", "button", "iframe"];

    public static string Render(string html, PageViewOptions options)
    {
        var sb = new StringBuilder(html.Length);
        foreach (var node in HtmlLexer.Parse(html))
        {
            RenderNode(sb, node, options);
        }

        return sb.ToString().Trim();
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

    private static void AppendText(StringBuilder sb, string text)
    {
        var collapsed = Collapse(text);
        if (collapsed.Length > 0)
        {
            Space(sb);
            sb.Append(collapsed);
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
