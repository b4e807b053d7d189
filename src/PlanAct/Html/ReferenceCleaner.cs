namespace PlanAct.Html;

/// <summary>
/// The reference's HTML cleaner applied to a <see cref="SoupElement"/> tree, edit for edit: children are visited last
/// to first; scripts, styles and footers go; only a short list of attributes stays (aria-label, aria-selected and
/// aria-expanded renamed); blank strings go and the others are stripped and joined, behind the element's children;
/// empty elements without attributes go; layout elements with one child are unwrapped. An element whose id is kept
/// is never removed or unwrapped.
/// </summary>
internal sealed class Cleaner(HashSet<string>? keep)
{
    private static readonly HashSet<string> Removed = ["noscript", "script", "style", "footer"];

    private static readonly HashSet<string> KeptAttributes =
    [
        "alt", "contenteditable", "placeholder", "role", "title", "type", "name", "value", "selected", "expanded",
        "aria_description", "aria_label", "aria_role", "input_checked", "input_value", "label", "option_selected",
        "text_value", "data-value", "data-text", "data-testid", "data-label", "data-status",
    ];

    private static readonly HashSet<string> IgnoredRoles = ["main", "none", "presentation", "text"];

    private static readonly HashSet<string> Collapsible =
        ["abbr", "b", "dfn", "div", "em", "h1", "h2", "h3", "h4", "h5", "h6", "i", "mark", "p", "small", "span", "strong", "u", "text", "icon"];

    private static readonly HashSet<string> Smoothable = ["abbr", "b", "dfn", "em", "i", "mark", "small", "span", "strong", "u", "text"];

    /// <summary>Input elements: never removed, unwrapped or collapsed into.</summary>
    private static readonly HashSet<string> Interactive = ["textarea", "input", "select", "option", "button", "a"];

    private bool IsKept(SoupElement element) =>
        keep is not null && element.GetAttribute("id") is { } id && keep.Contains(id);

    /// <summary>The reference's default pass.</summary>
    public void Visit(SoupElement element)
    {
        if (Removed.Contains(element.Name) && !IsKept(element))
        {
            element.Decompose();
            return;
        }

        PruneAttributes(element);
        if (element.Name == "svg")
        {
            foreach (var child in element.Children)
            {
                child.Parent = null;
            }

            element.Children.Clear();
        }

        var children = element.Children;
        for (var i = children.Count - 1; i >= 0; i--)
        {
            switch (children[i])
            {
                case SoupElement child:
                    Visit(child);
                    break;
                case SoupString { Kind: SoupStringKind.Comment } comment:
                    children.RemoveAt(i);
                    comment.Parent = null;
                    break;
                case SoupString text:
                    var stripped = PythonText.Strip(text.Value);
                    if (stripped.Length == 0)
                    {
                        children.RemoveAt(i);
                        text.Parent = null;
                    }
                    else if (stripped.Length < text.Value.Length)
                    {
                        // A stripped string is a plain string again, whatever kind it was.
                        children[i] = new SoupString(stripped) { Parent = element };
                        text.Parent = null;
                    }

                    break;
            }
        }

        if (children.Count == 0 && element.Attributes.Count == 0 && !Interactive.Contains(element.Name) && !IsKept(element))
        {
            element.Decompose();
            return;
        }

        JoinText(element);
        Collapse(element);
    }

    /// <summary>The reference's destructive pass (its fallback for earlier rounds): every element but the interactive
    /// ones, body and html is unwrapped, its text joined first.</summary>
    public void Destroy(SoupElement element)
    {
        var children = element.Children;
        for (var i = children.Count - 1; i >= 0; i--)
        {
            if (children[i] is SoupElement child)
            {
                Destroy(child);
            }
        }

        JoinText(element);
        if (Interactive.Contains(element.Name) || element.Name is "body" or "html" || IsKept(element))
        {
            return;
        }

        // The root (a page without body) cannot be unwrapped; the reference ignores that failure.
        if (element.Parent is not null)
        {
            element.Unwrap();
        }
    }

    private void PruneAttributes(SoupElement element)
    {
        var attributes = element.Attributes;
        if (attributes.Count == 0)
        {
            return;
        }

        foreach (var key in attributes.Select(a => a.Key).ToArray())
        {
            if (key == "id")
            {
                continue;
            }

            var renamed = key switch
            {
                "aria-label" => "label",
                "aria-selected" => "selected",
                "aria-expanded" => "expanded",
                _ => null,
            };
            if (renamed is not null)
            {
                // Renamed values are kept as they are, even blank ones.
                var renamedValue = element.GetAttribute(key)!;
                element.RemoveAttribute(key);
                element.SetAttribute(renamed, renamedValue);
                continue;
            }

            if (!KeptAttributes.Contains(key))
            {
                element.RemoveAttribute(key);
                continue;
            }

            var value = element.GetAttribute(key)!;
            var drop = PythonText.IsBlank(value)
                || (key == "contenteditable" && value != "true")
                || (key == "role" && IgnoredRoles.Contains(value))
                || element.Name switch
                {
                    "a" => key == "role" && value is "button" or "link",
                    "button" => (key == "type" && value == "button") || (key == "role" && value == "button"),
                    "input" => key == "type" && value == "text",
                    _ => false,
                };
            if (element.Name == "div" && key == "role" && value == "button" && !drop)
            {
                element.Name = "button";
                drop = true;
            }

            if (drop)
            {
                element.RemoveAttribute(key);
            }
        }
    }

    /// <summary>Moves the element's strings, stripped and joined by spaces, behind its child elements.</summary>
    private static void JoinText(SoupElement element)
    {
        var children = element.Children;
        List<string>? texts = null;
        for (var i = children.Count - 1; i >= 0; i--)
        {
            if (children[i] is SoupString text)
            {
                (texts ??= []).Add(PythonText.Strip(text.Value));
                children.RemoveAt(i);
                text.Parent = null;
            }
        }

        if (texts is null)
        {
            return;
        }

        texts.Reverse();
        element.Append(new SoupString(string.Join(' ', texts)));
    }

    private void Collapse(SoupElement element)
    {
        if (element.Children.Count != 1 || Interactive.Contains(element.Name))
        {
            return;
        }

        var only = element.Children[0];
        var bare = element.Attributes.Count == 0 && !IsKept(element);
        if (only is SoupString)
        {
            if (Smoothable.Contains(element.Name) && bare)
            {
                element.Unwrap();
            }

            return;
        }

        var child = (SoupElement)only;
        if (Collapsible.Contains(element.Name) && bare)
        {
            element.Unwrap();
        }
        else if (Collapsible.Contains(child.Name) && child.Attributes.Count == 0 && !IsKept(child))
        {
            child.Unwrap();
        }
    }
}
