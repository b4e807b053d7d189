namespace PlanAct.Html;

/// <summary>
/// A mutable page tree shaped like the one BeautifulSoup builds, so that <see cref="ReferencePageView"/> can apply the
/// reference's edits (unwrap, decompose, moving strings between trees) in the same order and get the same result.
/// </summary>
internal abstract class SoupNode
{
    public SoupElement? Parent { get; set; }

    /// <summary>Takes the node out of its parent, as BeautifulSoup does before inserting a node elsewhere.</summary>
    public void Detach()
    {
        if (Parent is { } parent)
        {
            parent.Children.RemoveAt(parent.IndexOf(this));
            Parent = null;
        }
    }
}

/// <summary>The kinds of strings the reference's parser makes; each prints with its own delimiters.</summary>
internal enum SoupStringKind
{
    Text,
    Comment,
    Doctype,
    Declaration,
    CData,
    ProcessingInstruction,
}

/// <summary>A string. <see cref="Container"/> names the script, style, template, rt or rp element whose text it was
/// parsed in: BeautifulSoup gives such strings their own class, which <c>get_text()</c> of other elements skips.</summary>
internal sealed class SoupString(string value, SoupStringKind kind = SoupStringKind.Text, string? container = null) : SoupNode
{
    public string Value { get; } = value;

    public SoupStringKind Kind { get; } = kind;

    public string? Container { get; } = container;
}

internal sealed class SoupElement(string name) : SoupNode
{
    /// <summary>The name BeautifulSoup gives its document object; it is printed like any tag when copied.</summary>
    public const string DocumentName = "[document]";

    public string Name { get; set; } = name;

    /// <summary>A namespace prefix; only set when an attribute named <c>nsprefix</c> reaches <c>new_tag</c>.</summary>
    public string? Prefix { get; set; }

    /// <summary>Attributes in insertion order with Python dict semantics (setting an existing key keeps its place).</summary>
    public List<KeyValuePair<string, string>> Attributes { get; } = [];

    public List<SoupNode> Children { get; } = [];

    /// <summary>The document itself: its tag is never printed.</summary>
    public bool IsDocument { get; init; }

    public bool Decomposed { get; private set; }

    public static SoupElement NewDocument() => new(DocumentName) { IsDocument = true };

    public string? GetAttribute(string key)
    {
        foreach (var attribute in Attributes)
        {
            if (attribute.Key == key)
            {
                return attribute.Value;
            }
        }

        return null;
    }

    public void SetAttribute(string key, string value)
    {
        for (var i = 0; i < Attributes.Count; i++)
        {
            if (Attributes[i].Key == key)
            {
                Attributes[i] = new(key, value);
                return;
            }
        }

        Attributes.Add(new(key, value));
    }

    public void RemoveAttribute(string key)
    {
        for (var i = 0; i < Attributes.Count; i++)
        {
            if (Attributes[i].Key == key)
            {
                Attributes.RemoveAt(i);
                return;
            }
        }
    }

    /// <summary>The position of <paramref name="child"/> by identity (BeautifulSoup's <c>Tag.index</c>).</summary>
    public int IndexOf(SoupNode child)
    {
        for (var i = 0; i < Children.Count; i++)
        {
            if (ReferenceEquals(Children[i], child))
            {
                return i;
            }
        }

        throw new InvalidOperationException("the node is not a child of this element");
    }

    public void Append(SoupNode node)
    {
        node.Detach();
        node.Parent = this;
        Children.Add(node);
    }

    /// <summary>Replaces this element by its children in its parent.</summary>
    public void Unwrap()
    {
        var parent = Parent ?? throw new InvalidOperationException("an element without a parent cannot be unwrapped");
        var index = parent.IndexOf(this);
        parent.Children.RemoveAt(index);
        Parent = null;
        foreach (var child in Children)
        {
            child.Parent = parent;
        }

        parent.Children.InsertRange(index, Children);
        Children.Clear();
    }

    public void Decompose()
    {
        Detach();
        Decomposed = true;
    }

    /// <summary>The first element in document order that <paramref name="match"/> accepts, this one excluded.</summary>
    public SoupElement? FindFirst(Func<SoupElement, bool> match)
    {
        foreach (var child in Children)
        {
            if (child is SoupElement element)
            {
                if (match(element))
                {
                    return element;
                }

                if (element.FindFirst(match) is { } found)
                {
                    return found;
                }
            }
        }

        return null;
    }

    /// <summary>BeautifulSoup's <c>Tag.__eq__</c>: same name, same attributes, and equal children, recursively.</summary>
    public bool SameAs(SoupElement other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (Name != other.Name || Attributes.Count != other.Attributes.Count || Children.Count != other.Children.Count)
        {
            return false;
        }

        foreach (var attribute in Attributes)
        {
            if (other.GetAttribute(attribute.Key) != attribute.Value)
            {
                return false;
            }
        }

        for (var i = 0; i < Children.Count; i++)
        {
            var same = (Children[i], other.Children[i]) switch
            {
                (SoupString a, SoupString b) => a.Value == b.Value,
                (SoupElement a, SoupElement b) => a.SameAs(b),
                _ => false,
            };
            if (!same)
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>Python's idea of whitespace, which <c>str.strip()</c> and the <c>\s</c> of its regular expressions use.</summary>
internal static class PythonText
{
    public static bool IsSpace(char c) =>
        c is ' ' or (>= '\t' and <= '\r') or (>= '\x1c' and <= '\x1f') || (c >= '\x85' && char.IsWhiteSpace(c));

    public static string Strip(string s)
    {
        var start = 0;
        var end = s.Length;
        while (start < end && IsSpace(s[start]))
        {
            start++;
        }

        while (end > start && IsSpace(s[end - 1]))
        {
            end--;
        }

        return start == 0 && end == s.Length ? s : s[start..end];
    }

    public static bool IsBlank(string s)
    {
        foreach (var c in s)
        {
            if (!IsSpace(c))
            {
                return false;
            }
        }

        return true;
    }
}
