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
    public static List<HtmlToken> Tokenize(string html) =>
        // About one token per dozen characters on real pages: one allocation, not a dozen doublings.
        Tokenize(html, new List<HtmlToken>((html.Length / 12) + 8));

    /// <summary>The tokens of <paramref name="html"/> in <paramref name="tokens"/> (cleared first): a list kept for reuse.</summary>
    public static List<HtmlToken> Tokenize(string html, List<HtmlToken> tokens)
    {
        tokens.Clear();
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

        var name = Names.Lower(html.AsSpan(nameStart, i - nameStart));
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

    /// <summary>Appends the attributes of a start tag to <paramref name="into"/>, in order, as offsets into the page.</summary>
    public static void Attributes(string html, HtmlToken tag, List<HtmlAttribute> into)
    {
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

            var nameLength = i - nameStart;
            while (i < end && char.IsWhiteSpace(html[i]))
            {
                i++;
            }

            var (valueStart, valueLength) = (i, -1);
            if (i < end && html[i] == '=')
            {
                i++;
                while (i < end && char.IsWhiteSpace(html[i]))
                {
                    i++;
                }

                if (i < end && html[i] is '"' or '\'')
                {
                    var close = html.IndexOf(html[i], i + 1);
                    if (close < 0 || close > end)
                    {
                        close = end;
                    }

                    (valueStart, valueLength) = (i + 1, close - i - 1);
                    i = Math.Min(close + 1, end);
                }
                else
                {
                    valueStart = i;
                    while (i < end && !char.IsWhiteSpace(html[i]))
                    {
                        i++;
                    }

                    valueLength = i - valueStart;
                }
            }

            into.Add(new HtmlAttribute(nameStart, nameLength, valueStart, valueLength));
        }
    }

    /// <summary>
    /// The page's tree over its tokens: for each start tag, the index of the token its content ends before (itself for
    /// a self-closing tag, the token count for one never closed). An end tag closes the nearest open element of its
    /// name and every element opened inside it; a stray one closes nothing.
    /// </summary>
    /// <param name="tokens">The page's tokens.</param>
    /// <param name="ends">An array to reuse when it is long enough.</param>
    /// <param name="open">A list to reuse for the elements still open (cleared first).</param>
    public static int[] ElementEnds(List<HtmlToken> tokens, int[]? ends = null, List<int>? open = null)
    {
        ends = ends is not null && ends.Length >= tokens.Count ? ends : new int[tokens.Count];
        open ??= [];
        open.Clear();
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.Kind == HtmlTokenKind.StartTag)
            {
                if (token.SelfClosing)
                {
                    ends[i] = i;
                }
                else
                {
                    open.Add(i);
                }
            }
            else if (token.Kind == HtmlTokenKind.EndTag)
            {
                var match = open.Count - 1;
                while (match >= 0 && tokens[open[match]].Name != token.Name)
                {
                    match--;
                }

                if (match >= 0)
                {
                    Close(ends, open, match, i);
                }
            }
        }

        Close(ends, open, 0, tokens.Count);
        return ends;
    }

    private static void Close(int[] ends, List<int> open, int from, int end)
    {
        for (var k = from; k < open.Count; k++)
        {
            ends[open[k]] = end;
        }

        open.RemoveRange(from, open.Count - from);
    }
}

/// <summary>An attribute of a start tag as offsets into its page; a bare attribute has no value (<see cref="ValueLength"/> −1).</summary>
internal readonly record struct HtmlAttribute(int NameStart, int NameLength, int ValueStart, int ValueLength)
{
    public bool HasValue => ValueLength >= 0;

    public ReadOnlySpan<char> Name(string html) => html.AsSpan(NameStart, NameLength);

    /// <summary>The value; empty for a bare attribute.</summary>
    public ReadOnlySpan<char> Value(string html) => HasValue ? html.AsSpan(ValueStart, ValueLength) : default;
}
