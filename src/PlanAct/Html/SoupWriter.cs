using System.Text;

namespace PlanAct.Html;

/// <summary>
/// Prints a <see cref="SoupElement"/> as BeautifulSoup 4.11 does with its default "minimal" formatter: attributes
/// sorted by name, '&amp;', '&lt;' and '&gt;' escaped (not inside script or style), void elements as <c>&lt;br/&gt;</c>.
/// <see cref="Prettify"/> puts every tag and text on its own line, indented one space per level, except inside
/// pre and textarea.
/// </summary>
internal static class SoupWriter
{
    /// <summary><c>str(tag)</c>: markup without added whitespace.</summary>
    public static string Serialize(SoupElement root)
    {
        var sb = new StringBuilder();
        Decode(sb, root, null, hasNextSibling: false);
        return sb.ToString();
    }

    /// <summary><c>tag.prettify()</c>, or <c>soup.prettify()</c> for the document, which starts one level less deep.</summary>
    public static string Prettify(SoupElement root)
    {
        var sb = new StringBuilder();
        var hasNextSibling = root.Parent is { } parent && parent.IndexOf(root) + 1 < parent.Children.Count;
        Decode(sb, root, root.IsDocument ? 0 : 1, hasNextSibling);
        return sb.ToString();
    }

    private static void Decode(StringBuilder sb, SoupElement element, int? level, bool hasNextSibling)
    {
        var pretty = level is not null && !SoupParser.PreservesWhitespace(element.Name);
        int? childLevel = pretty ? level + 1 : null;
        if (element.IsDocument)
        {
            DecodeContents(sb, element, childLevel);
            return;
        }

        var indent = level is int l ? l - 1 : 0;
        var isVoid = element.Children.Count == 0 && SoupParser.VoidElements.Contains(element.Name);
        if (level is not null)
        {
            sb.Append(' ', indent);
        }

        sb.Append('<');
        AppendName(sb, element);
        AppendAttributes(sb, element);
        sb.Append(isVoid ? "/>" : ">");
        if (pretty)
        {
            sb.Append('\n');
        }

        var contentStart = sb.Length;
        DecodeContents(sb, element, childLevel);
        if (pretty && sb.Length > contentStart && sb[^1] != '\n')
        {
            sb.Append('\n');
        }

        if (isVoid)
        {
            return;
        }

        if (pretty)
        {
            sb.Append(' ', indent);
        }

        sb.Append("</");
        AppendName(sb, element);
        sb.Append('>');
        if (level is not null && hasNextSibling)
        {
            sb.Append('\n');
        }
    }

    private static void AppendName(StringBuilder sb, SoupElement element)
    {
        if (!string.IsNullOrEmpty(element.Prefix))
        {
            sb.Append(element.Prefix).Append(':');
        }

        sb.Append(element.Name);
    }

    private static void DecodeContents(StringBuilder sb, SoupElement element, int? level)
    {
        var preserve = SoupParser.PreservesWhitespace(element.Name);
        var rawText = element.Name is "script" or "style";
        var children = element.Children;
        for (var i = 0; i < children.Count; i++)
        {
            if (children[i] is SoupElement child)
            {
                Decode(sb, child, level, i + 1 < children.Count);
                continue;
            }

            var text = (SoupString)children[i];
            if (level is null || preserve)
            {
                AppendString(sb, text, rawText);
                continue;
            }

            // Pretty printing strips each string and gives it a line of its own; a blank one prints nothing.
            var start = sb.Length;
            sb.Append(' ', level.Value - 1);
            var textStart = sb.Length;
            AppendString(sb, text, rawText);
            var end = sb.Length;
            while (end > textStart && PythonText.IsSpace(sb[end - 1]))
            {
                end--;
            }

            var first = textStart;
            while (first < end && PythonText.IsSpace(sb[first]))
            {
                first++;
            }

            if (first == end)
            {
                sb.Length = start;
                continue;
            }

            sb.Length = end;
            sb.Remove(textStart, first - textStart);
            sb.Append('\n');
        }
    }

    private static void AppendString(StringBuilder sb, SoupString text, bool rawText)
    {
        switch (text.Kind)
        {
            case SoupStringKind.Text when rawText:
                sb.Append(text.Value);
                break;
            case SoupStringKind.Text:
                AppendEscaped(sb, text.Value);
                break;
            case SoupStringKind.Comment:
                sb.Append("<!--").Append(text.Value).Append("-->");
                break;
            case SoupStringKind.CData:
                sb.Append("<![CDATA[").Append(text.Value).Append("]]>");
                break;
            case SoupStringKind.ProcessingInstruction:
                sb.Append("<?").Append(text.Value).Append('>');
                break;
            case SoupStringKind.Declaration:
                sb.Append("<?").Append(text.Value).Append("?>");
                break;
            case SoupStringKind.Doctype:
                sb.Append("<!DOCTYPE ").Append(text.Value).Append(">\n");
                break;
        }
    }

    private static void AppendEscaped(StringBuilder sb, string value)
    {
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var entity = value[i] switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                _ => null,
            };
            if (entity is not null)
            {
                sb.Append(value, start, i - start).Append(entity);
                start = i + 1;
            }
        }

        sb.Append(value, start, value.Length - start);
    }

    private static void AppendAttributes(StringBuilder sb, SoupElement element)
    {
        var attributes = element.Attributes;
        if (attributes.Count == 0)
        {
            return;
        }

        var sorted = attributes.ToArray();
        if (sorted.Length > 1)
        {
            Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        }

        foreach (var (key, value) in sorted)
        {
            sb.Append(' ').Append(key).Append('=');

            // Double quotes unless the value holds one and no single quote; with both, '"' becomes &quot;.
            var hasDouble = value.Contains('"');
            var hasSingle = value.Contains('\'');
            var quote = hasDouble && !hasSingle ? '\'' : '"';
            sb.Append(quote);
            var start = sb.Length;
            AppendEscaped(sb, value);
            if (hasDouble && hasSingle)
            {
                sb.Replace("\"", "&quot;", start, sb.Length - start);
            }

            sb.Append(quote);
        }
    }
}
