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
    private static bool IsRemoved(string name) => name is "noscript" or "script" or "style" or "footer";

    private static bool IsKeptAttribute(string name) => name is
        "alt" or "contenteditable" or "placeholder" or "role" or "title" or "type" or "name" or "value" or "selected"
        or "expanded" or "aria_description" or "aria_label" or "aria_role" or "input_checked" or "input_value"
        or "label" or "option_selected" or "text_value" or "data-value" or "data-text" or "data-testid"
        or "data-label" or "data-status";

    private static bool IsIgnoredRole(string role) => role is "main" or "none" or "presentation" or "text";

    /// <summary>Layout elements that may be unwrapped when they have one element child.</summary>
    private static bool IsCollapsible(string name) => name is
        "abbr" or "b" or "dfn" or "div" or "em" or "h1" or "h2" or "h3" or "h4" or "h5" or "h6" or "i" or "mark"
        or "p" or "small" or "span" or "strong" or "u" or "text" or "icon";

    /// <summary>Inline elements that may be unwrapped when they hold only text.</summary>
    private static bool IsSmoothable(string name) => name is
        "abbr" or "b" or "dfn" or "em" or "i" or "mark" or "small" or "span" or "strong" or "u" or "text";

    /// <summary>Input elements: never removed, unwrapped or collapsed into.</summary>
    private static bool IsInteractive(string name) => name is "textarea" or "input" or "select" or "option" or "button" or "a";

    private bool IsKept(SoupElement element) =>
        keep is not null && element.GetAttribute("id") is { } id && keep.Contains(id);

    /// <summary>The reference's default pass.</summary>
    public void Visit(SoupElement element)
    {
        if (IsRemoved(element.Name) && !IsKept(element))
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

        if (children.Count == 0 && element.Attributes.Count == 0 && !IsInteractive(element.Name) && !IsKept(element))
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
        if (IsInteractive(element.Name) || element.Name is "body" or "html" || IsKept(element))
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

        // The keys as they are now: renamed keys are added at the end and are not visited again.
        var keys = new string[attributes.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = attributes[i].Key;
        }

        foreach (var key in keys)
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

            if (!IsKeptAttribute(key))
            {
                element.RemoveAttribute(key);
                continue;
            }

            var value = element.GetAttribute(key)!;
            var drop = PythonText.IsBlank(value)
                || (key == "contenteditable" && value != "true")
                || (key == "role" && IsIgnoredRole(value))
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
        if (element.Children.Count != 1 || IsInteractive(element.Name))
        {
            return;
        }

        var only = element.Children[0];
        var bare = element.Attributes.Count == 0 && !IsKept(element);
        if (only is SoupString)
        {
            if (IsSmoothable(element.Name) && bare)
            {
                element.Unwrap();
            }

            return;
        }

        var child = (SoupElement)only;
        if (IsCollapsible(element.Name) && bare)
        {
            element.Unwrap();
        }
        else if (IsCollapsible(child.Name) && child.Attributes.Count == 0 && !IsKept(child))
        {
            child.Unwrap();
        }
    }
}
