using System.Text;

namespace PlanAct.Html;

/// <summary>
/// The page renderings of the Plan-and-Act reference (SqueezeAILab/plan-and-act, its <c>clean_html</c> and
/// <c>get_previous_round_html_snippet_from_html</c>), reproduced exactly so that a model trained on our exports sees
/// the pages an agent built on the reference shows it. The reference parses with BeautifulSoup's html.parser; its
/// tree, edits and printing are rebuilt here (<see cref="SoupParser"/>, <see cref="SoupWriter"/>), quirks included:
/// the text of an element is moved behind its child elements, and the earlier-round snippet repeats ancestors.
/// </summary>
public static class ReferencePageView
{
    /// <summary>The page for the planner and the replanner: prettified, without element ids.</summary>
    public static string Planner(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        return Clean(SoupParser.Parse(html), keepId: null, stripIds: true, destructive: false);
    }

    /// <summary>The page for the executor's current round: prettified with ids; the element with id
    /// <paramref name="keepElementId"/> (the one acted on) is never removed, even when empty.</summary>
    public static string Executor(string html, string? keepElementId)
    {
        ArgumentNullException.ThrowIfNull(html);
        return Clean(SoupParser.Parse(html), keepElementId, stripIds: false, destructive: false);
    }

    /// <summary>
    /// The page of an earlier executor round: a snippet of the element acted on (<paramref name="elementId"/>) inside
    /// copies of its ancestors, with up to five neighbouring elements, each cut to a few descendants. When the action
    /// names no element, or the page has none with that id, the whole page with everything but interactive elements
    /// unwrapped.
    /// </summary>
    public static string EarlierRound(string html, string? elementId)
    {
        ArgumentNullException.ThrowIfNull(html);

        // The reference finds the element with the CSS selector [id='…']; an id with a quote, backslash or line
        // break makes that selector fail or mean another id, and the reference falls back.
        if (elementId is null || elementId.AsSpan().IndexOfAny("'\\\n\r\f") >= 0)
        {
            return Clean(SoupParser.Parse(html), keepId: null, stripIds: false, destructive: true);
        }

        var document = SoupParser.Parse(html);
        var target = document.FindFirst(e => e.GetAttribute("id") == elementId);
        if (target is null)
        {
            return Clean(document, keepId: null, stripIds: false, destructive: true);
        }

        // Building the snippet moves strings out of the parsed page, so a failure falls back on a fresh parse.
        return Snippet(target, elementId) ?? Clean(SoupParser.Parse(html), keepId: null, stripIds: false, destructive: true);
    }

    private const int SnippetSiblings = 5;
    private const int SnippetMaxDescendants = 5;
    private const int SnippetMaxDepth = 3;
    private const string Truncated = "... truncated ...";
    private const string TruncatedAtDepth = "... truncated due to depth limit ...";

    private static string? Snippet(SoupElement target, string elementId)
    {
        var chain = new List<SoupElement>();
        for (var e = target.Parent; e is not null && e.Name != "body"; e = e.Parent)
        {
            chain.Add(e);
        }

        chain.Reverse();
        var (before, after) = Neighbours(target);

        var snippet = SoupParser.Parse("<body data-nrd='body-id'></body>");
        var container = (SoupElement)snippet.Children[0];
        foreach (var ancestor in chain)
        {
            var copy = new SoupElement(ancestor.Name);
            foreach (var (key, value) in ancestor.Attributes)
            {
                copy.SetAttribute(key, value);
            }

            container.Append(copy);
            container = copy;
        }

        // The reference copies elements by passing their attributes as keyword arguments to new_tag; some names
        // collide with that method's parameters, and then it raises and falls back.
        try
        {
            foreach (var sibling in before)
            {
                container.Append(Truncate(sibling));
            }

            container.Append(Truncate(target));
            foreach (var sibling in after)
            {
                container.Append(Truncate(sibling));
            }
        }
        catch (NewTagException)
        {
            return null;
        }

        var keep = new HashSet<string> { elementId };
        var cleaned = Clean(SoupParser.Parse(SoupWriter.Serialize(snippet)), keep, stripIds: false, destructive: false);
        if (PythonText.IsBlank(cleaned))
        {
            cleaned = MinimalSnippet(target, keep);
        }

        return SoupWriter.Prettify(SoupParser.Parse(cleaned));
    }

    /// <summary>
    /// The neighbours the reference picks: at the target's parent, up to two elements on each side; then, climbing,
    /// the first elements of each ancestor (the branch holding the target included) until five are taken. Positions
    /// are those of the first structurally equal child, as Python's <c>list.index</c> finds them.
    /// </summary>
    private static (List<SoupElement> Before, List<SoupElement> After) Neighbours(SoupElement target)
    {
        var before = new List<SoupElement>();
        var after = new List<SoupElement>();
        var remaining = SnippetSiblings;
        for (var parent = target.Parent; parent is not null && remaining > 0; parent = parent.Parent)
        {
            var others = new List<SoupElement>();
            foreach (var child in parent.Children)
            {
                if (child is SoupElement element && !ReferenceEquals(element, target))
                {
                    others.Add(element);
                }
            }

            var targetIndex = FirstEqualIndex(parent, target);
            if (targetIndex < 0)
            {
                var take = Math.Min(remaining, others.Count);
                after.AddRange(others.GetRange(0, take));
                remaining -= take;
                continue;
            }

            var left = new List<SoupElement>();
            var right = new List<SoupElement>();
            foreach (var other in others)
            {
                var index = FirstEqualIndex(parent, other);
                if (index < targetIndex)
                {
                    left.Add(other);
                }
                else if (index > targetIndex)
                {
                    right.Add(other);
                }
            }

            // Python's before[-0:] is the whole list: with one neighbour still wanted, every earlier one is taken.
            var perSide = remaining / 2;
            var leftTaken = perSide == 0 ? left : left.GetRange(Math.Max(0, left.Count - perSide), Math.Min(perSide, left.Count));
            var rightTaken = right.GetRange(0, Math.Min(perSide, right.Count));
            before.AddRange(leftTaken);
            after.AddRange(rightTaken);
            remaining -= leftTaken.Count + rightTaken.Count;
        }

        return (before, after);
    }

    private static int FirstEqualIndex(SoupElement parent, SoupElement element)
    {
        for (var i = 0; i < parent.Children.Count; i++)
        {
            if (parent.Children[i] is SoupElement child && child.SameAs(element))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>A copy of <paramref name="element"/> with at most five descendants, three levels deep. Strings are
    /// not copied but moved out of the page, as the reference's append does.</summary>
    private static SoupElement Truncate(SoupElement element)
    {
        var copy = NewTag(element);
        var count = 0;
        var children = CopyChildren(element.Children, depth: 0, ref count, out var truncated);
        foreach (var child in children)
        {
            copy.Append(child);
        }

        if (truncated)
        {
            copy.Append(new SoupString(Truncated));
        }

        return copy;
    }

    private static List<SoupNode> CopyChildren(List<SoupNode> children, int depth, ref int count, out bool truncated)
    {
        var copies = new List<SoupNode>();
        truncated = false;
        foreach (var child in children)
        {
            if (count >= SnippetMaxDescendants)
            {
                truncated = true;
                break;
            }

            if (child is SoupString)
            {
                copies.Add(child);
                continue;
            }

            var element = (SoupElement)child;
            var copy = NewTag(element);
            count++;
            if (depth < SnippetMaxDepth)
            {
                var grandchildren = CopyChildren(element.Children, depth + 1, ref count, out var childTruncated);
                foreach (var grandchild in grandchildren)
                {
                    copy.Append(grandchild);
                }

                if (childTruncated)
                {
                    copy.Append(new SoupString(Truncated));
                }
            }
            else if (element.Children.Count > 0)
            {
                copy.Append(new SoupString(TruncatedAtDepth));
            }

            copies.Add(copy);
        }

        return copies;
    }

    private sealed class NewTagException : Exception;

    /// <summary><c>soup.new_tag(element.name, **element.attrs)</c>: attributes named like new_tag's own parameters
    /// set those instead (namespace, nsprefix, sourceline, sourcepos, an empty attrs) or make it raise.</summary>
    private static SoupElement NewTag(SoupElement element)
    {
        var copy = new SoupElement(element.Name);
        foreach (var (key, value) in element.Attributes)
        {
            switch (key)
            {
                case "name" or "self":
                    throw new NewTagException();
                case "attrs" when value.Length > 0:
                    throw new NewTagException();
                case "attrs" or "namespace" or "sourceline" or "sourcepos":
                    break;
                case "nsprefix":
                    copy.Prefix = value;
                    break;
                default:
                    copy.Attributes.Add(new(key, value));
                    break;
            }
        }

        return copy;
    }

    /// <summary>The reference's last resort when the cleaned snippet is empty: the element alone with its text
    /// (what is left of it once the snippet took its strings), ids stripped.</summary>
    private static string MinimalSnippet(SoupElement target, HashSet<string> keep)
    {
        var document = SoupParser.Parse("<body id='body-id'></body>");
        var copy = new SoupElement(target.Name);
        foreach (var (key, value) in target.Attributes)
        {
            copy.SetAttribute(key, value);
        }

        var text = new StringBuilder();
        AppendText(text, target, target.Name);
        copy.Append(new SoupString(text.ToString()));
        ((SoupElement)document.Children[0]).Append(copy);
        return Clean(SoupParser.Parse(SoupWriter.Serialize(document)), keep, stripIds: true, destructive: false);
    }

    /// <summary><c>get_text()</c>: text and CDATA strings, skipping those that belong to script, style, template, rt
    /// and rp, unless the element is one of those (then only its own kind).</summary>
    private static void AppendText(StringBuilder sb, SoupElement element, string ownerName)
    {
        var containerOwner = ownerName is "script" or "style" or "template" or "rt" or "rp";
        foreach (var child in element.Children)
        {
            if (child is SoupElement e)
            {
                AppendText(sb, e, ownerName);
            }
            else if (child is SoupString s)
            {
                var wanted = containerOwner
                    ? s.Kind == SoupStringKind.Text && s.Container == ownerName
                    : (s.Kind == SoupStringKind.Text && s.Container is null) || s.Kind == SoupStringKind.CData;
                if (wanted)
                {
                    sb.Append(s.Value);
                }
            }
        }
    }

    private static string Clean(SoupElement document, string? keepId, bool stripIds, bool destructive) =>
        Clean(document, keepId is null ? null : new HashSet<string> { keepId }, stripIds, destructive);

    private static string Clean(SoupElement document, HashSet<string>? keep, bool stripIds, bool destructive)
    {
        var root = document.FindFirst(e => e.Name == "body") ?? document;
        var cleaner = new Cleaner(keep);
        cleaner.Visit(root);
        if (destructive)
        {
            cleaner.Destroy(root);
        }

        if (root.Decomposed)
        {
            return "";
        }

        var html = PythonText.Strip(SoupWriter.Prettify(root));
        return stripIds ? StripIds(html) : html;
    }

    /// <summary>Removes every <c>\s+id="…"</c> (one or more characters, no '"'), wherever it stands, as the
    /// reference's regular expression does.</summary>
    internal static string StripIds(string html)
    {
        var sb = new StringBuilder(html.Length);
        var i = 0;
        while (i < html.Length)
        {
            if (!PythonText.IsSpace(html[i]))
            {
                var next = i + 1;
                while (next < html.Length && !PythonText.IsSpace(html[next]))
                {
                    next++;
                }

                sb.Append(html, i, next - i);
                i = next;
                continue;
            }

            var runEnd = i + 1;
            while (runEnd < html.Length && PythonText.IsSpace(html[runEnd]))
            {
                runEnd++;
            }

            if (string.CompareOrdinal(html, runEnd, "id=\"", 0, 4) == 0)
            {
                var close = html.IndexOf('"', runEnd + 4);
                if (close > runEnd + 4)
                {
                    i = close + 1;
                    continue;
                }
            }

            sb.Append(html, i, runEnd - i);
            i = runEnd;
        }

        return sb.ToString();
    }
}
