namespace PlanAct.Html;

/// <summary>A node of a simplified WebRL page: an element with attributes and children, or text.</summary>
internal abstract record HtmlNode;

internal sealed record HtmlText(string Text) : HtmlNode;

internal sealed record HtmlElement(string Name, List<KeyValuePair<string, string?>> Attributes, List<HtmlNode> Children) : HtmlNode
{
    public string? Attribute(string name) =>
        Attributes.FirstOrDefault(a => string.Equals(a.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
}
