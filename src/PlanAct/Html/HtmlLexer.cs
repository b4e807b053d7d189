namespace PlanAct.Html;

internal enum HtmlTokenKind
{
    Text,
    StartTag,
    EndTag,
    Comment,
}

/// <summary>A span of the page; tags carry their name. Attributes are read on demand by <see cref="HtmlLexer.Attributes"/>.</summary>
internal readonly record struct HtmlToken(HtmlTokenKind Kind, int Start, int Length, string? Name = null, bool SelfClosing = false)
{
    public int End => Start + Length;
}

/// <summary>
/// A forgiving lexer for the simplified HTML that web agents see (WebRL's format): tags, text and comments, with
/// quoted attribute values that may hold '&gt;'. It never fails; stray '&lt;' is text.
/// </summary>
internal static class HtmlLexer
{
    public static List<HtmlToken> Tokenize(string html)
    {
        var tokens = new List<HtmlToken>();
        var pos = 0;
        var textStart = 0;
        while (pos < html.Length)
        {
            var lt = html.IndexOf('<', pos);
            if (lt < 0)
            {
                break;
            }

            var token = ReadMarkup(html, lt);
            if (token is null)
            {
                pos = lt + 1;
                continue;
            }

            if (lt > textStart)
            {
                tokens.Add(new HtmlToken(HtmlTokenKind.Text, textStart, lt - textStart));
            }

            tokens.Add(token.Value);
            pos = textStart = token.Value.End;
        }

        if (textStart < html.Length)
        {
            tokens.Add(new HtmlToken(HtmlTokenKind.Text, textStart, html.Length - textStart));
        }

        return tokens;
    }

    private static HtmlToken? ReadMarkup(string html, int lt)
    {
        if (string.CompareOrdinal(html, lt, "<!--", 0, 4) == 0)
        {
            var close = html.IndexOf("-->", lt + 4, StringComparison.Ordinal);
            var end = close < 0 ? html.Length : close + 3;
            return new HtmlToken(HtmlTokenKind.Comment, lt, end - lt);
        }

        var i = lt + 1;
        var endTag = i < html.Length && html[i] == '/';
        if (endTag)
        {
            i++;
        }

        var nameStart = i;
        while (i < html.Length && (char.IsAsciiLetterOrDigit(html[i]) || html[i] is '-' or '_' or ':'))
        {
            i++;
        }

        if (i == nameStart || !char.IsAsciiLetter(html[nameStart]))
        {
            return null;
        }

        var name = html[nameStart..i].ToLowerInvariant();
        char? quote = null;
        for (; i < html.Length; i++)
        {
            var c = html[i];
            if (quote is { } q)
            {
                if (c == q)
                {
                    quote = null;
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '>')
            {
                var selfClosing = html[i - 1] == '/';
                return new HtmlToken(endTag ? HtmlTokenKind.EndTag : HtmlTokenKind.StartTag, lt, i + 1 - lt, name, selfClosing);
            }
        }

        // An unclosed tag at the end of a cut page: keep it as one token so nothing cuts inside it.
        return new HtmlToken(endTag ? HtmlTokenKind.EndTag : HtmlTokenKind.StartTag, lt, html.Length - lt, name);
    }

    /// <summary>The attributes of a start tag, in order; a bare attribute has a null value.</summary>
    public static List<KeyValuePair<string, string?>> Attributes(string html, HtmlToken tag)
    {
        var result = new List<KeyValuePair<string, string?>>();
        var i = tag.Start + 1 + tag.Name!.Length;
        var end = html[tag.End - 1] == '>' ? tag.End - (tag.SelfClosing ? 2 : 1) : tag.End;
        while (i < end)
        {
            while (i < end && (char.IsWhiteSpace(html[i]) || html[i] == '/'))
            {
                i++;
            }

            var nameStart = i;
            while (i < end && !char.IsWhiteSpace(html[i]) && html[i] is not '=' and not '>' and not '/')
            {
                i++;
            }

            if (i == nameStart)
            {
                break;
            }

            var name = html[nameStart..i];
            while (i < end && char.IsWhiteSpace(html[i]))
            {
                i++;
            }

            string? value = null;
            if (i < end && html[i] == '=')
            {
                i++;
                while (i < end && char.IsWhiteSpace(html[i]))
                {
                    i++;
                }

                if (i < end && html[i] is '"' or '\'')
                {
                    var q = html[i];
                    var close = html.IndexOf(q, i + 1);
                    if (close < 0 || close > end)
                    {
                        close = end;
                    }

                    value = html[(i + 1)..close];
                    i = Math.Min(close + 1, end);
                }
                else
                {
                    var valueStart = i;
                    while (i < end && !char.IsWhiteSpace(html[i]))
                    {
                        i++;
                    }

                    value = html[valueStart..i];
                }
            }

            result.Add(new(name, value));
        }

        return result;
    }

    /// <summary>Builds a tree; an end tag closes the nearest open element of its name, and a stray one is ignored.</summary>
    public static List<HtmlNode> Parse(string html)
    {
        var root = new HtmlElement("#root", [], []);
        var stack = new List<HtmlElement> { root };
        foreach (var token in Tokenize(html))
        {
            switch (token.Kind)
            {
                case HtmlTokenKind.Text:
                    stack[^1].Children.Add(new HtmlText(html.Substring(token.Start, token.Length)));
                    break;
                case HtmlTokenKind.StartTag:
                    var element = new HtmlElement(token.Name!, Attributes(html, token), []);
                    stack[^1].Children.Add(element);
                    if (!token.SelfClosing)
                    {
                        stack.Add(element);
                    }

                    break;
                case HtmlTokenKind.EndTag:
                    var open = stack.FindLastIndex(e => e.Name == token.Name);
                    if (open > 0)
                    {
                        stack.RemoveRange(open, stack.Count - open);
                    }

                    break;
            }
        }

        return root.Children;
    }
}
