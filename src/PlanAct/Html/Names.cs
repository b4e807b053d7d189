namespace PlanAct.Html;

/// <summary>Lower-cased tag and attribute names, shared: the common ones come from a fixed table without allocating.</summary>
internal static class Names
{
    private static readonly Dictionary<string, string> Known = new[]
    {
        "a", "abbr", "area", "article", "aside", "audio", "b", "base", "body", "br", "button", "canvas", "caption",
        "code", "col", "dd", "details", "dfn", "dialog", "div", "dl", "dt", "em", "embed", "fieldset", "figure",
        "footer", "form", "gl", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hr", "html", "i", "icon",
        "iframe", "img", "input", "kbd", "label", "legend", "li", "link", "main", "mark", "menu", "meta", "nav",
        "noscript", "ol", "optgroup", "option", "p", "path", "picture", "pre", "rp", "rt", "script", "section",
        "select", "small", "source", "span", "strong", "style", "sub", "summary", "sup", "svg", "table", "tbody",
        "td", "template", "text", "textarea", "tfoot", "th", "thead", "time", "tr", "u", "ul", "use",
        "video", "alt", "aria-expanded", "aria-label", "aria-selected", "class", "contenteditable", "data-bbox",
        "data-label", "data-status", "data-testid", "data-text", "data-value", "href", "id", "name",
        "placeholder", "role", "selected", "src", "type", "value",
    }.ToDictionary(n => n, StringComparer.Ordinal);

    private static readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> KnownBySpan =
        Known.GetAlternateLookup<ReadOnlySpan<char>>();

    public static string Lower(ReadOnlySpan<char> name)
    {
        if (!name.ContainsAnyInRange('A', 'Z'))
        {
            return KnownBySpan.TryGetValue(name, out var known) ? known : name.ToString().ToLowerInvariant();
        }

        // Upper-case spellings (<DIV>) of known names are found lower-cased in a stack buffer, still without allocating.
        Span<char> lower = stackalloc char[Math.Min(name.Length, 32)];
        return name.Length <= lower.Length && name.ToLowerInvariant(lower) == name.Length && KnownBySpan.TryGetValue(lower, out var upper)
            ? upper
            : name.ToString().ToLowerInvariant();
    }
}
