using System.Text;

namespace PlanAct.Html;

/// <summary>
/// Builds the tree that the reference gets from <c>BeautifulSoup(html, "html.parser")</c> (Python 3.11's
/// <c>html.parser</c> under BeautifulSoup 4.11): the same tokens on malformed markup, the same entity decoding, and
/// the same tree repairs (an end tag closes the nearest open element of its name, a stray one is ignored, void
/// elements never hold children, whitespace-only text shrinks to one space or newline).
/// </summary>
internal sealed class SoupParser
{
    /// <summary>Elements BeautifulSoup treats as void.</summary>
    internal static readonly HashSet<string> VoidElements =
    [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "menuitem", "meta", "param",
        "source", "track", "wbr", "basefont", "bgsound", "command", "frame", "image", "isindex", "nextid", "spacer",
    ];

    /// <summary>Elements whose whitespace is kept as written, in the tree and in print.</summary>
    internal static bool PreservesWhitespace(string name) => name is "pre" or "textarea";

    private readonly string _raw;
    private readonly SoupElement _document = SoupElement.NewDocument();
    private readonly List<SoupElement> _stack = [];
    private readonly List<SoupElement> _preserveStack = [];
    private readonly List<SoupElement> _containerStack = [];
    private readonly List<string> _alreadyClosedVoid = [];
    private readonly StringBuilder _data = new();
    private readonly List<AttributeSpan> _attributeSpans = [];
    private bool _hasData;
    private int _sliceStart = -1;
    private int _sliceLength;
    private string? _cdataElement;

    private SoupParser(string raw)
    {
        _raw = raw;
        _stack.Add(_document);
    }

    public static SoupElement Parse(string html)
    {
        var parser = new SoupParser(html);

        // feed() stops before constructs that might continue in a later chunk; close() then runs again from there
        // with the end of input known. Both passes are needed to treat unfinished markup as the reference does.
        var stop = parser.Run(0, atEnd: false);
        parser.Run(stop, atEnd: true);
        parser.EndData(SoupStringKind.Text);
        while (parser._stack.Count > 1)
        {
            parser.PopTag();
        }

        return parser._document;
    }

    private SoupElement Current => _stack[^1];

    private int Run(int i, bool atEnd)
    {
        var raw = _raw;
        var n = raw.Length;
        while (i < n)
        {
            int j;
            if (_cdataElement is not null)
            {
                j = FindCDataEnd(i);
                if (j < 0)
                {
                    break;
                }
            }
            else
            {
                j = raw.AsSpan(i).IndexOfAny('<', '&');
                j = j < 0 ? n : i + j;
            }

            if (i < j)
            {
                AddData(raw, i, j - i);
            }

            i = j;
            if (i == n)
            {
                break;
            }

            if (raw[i] == '<')
            {
                int k;
                if (i + 1 < n && char.IsAsciiLetter(raw[i + 1]))
                {
                    k = ParseStartTag(i);
                }
                else if (StartsWith(i, "</"))
                {
                    k = ParseEndTag(i);
                }
                else if (StartsWith(i, "<!--"))
                {
                    k = ParseComment(i);
                }
                else if (StartsWith(i, "<?"))
                {
                    k = ParseProcessingInstruction(i);
                }
                else if (StartsWith(i, "<!"))
                {
                    k = ParseDeclaration(i);
                }
                else if (i + 1 < n)
                {
                    AddData("<");
                    k = i + 1;
                }
                else
                {
                    break;
                }

                if (k < 0)
                {
                    if (!atEnd)
                    {
                        break;
                    }

                    // Unfinished markup at the end of input is text, up to the next '>' (or '<').
                    k = raw.IndexOf('>', i + 1);
                    if (k < 0)
                    {
                        k = raw.IndexOf('<', i + 1);
                        if (k < 0)
                        {
                            k = i + 1;
                        }
                    }
                    else
                    {
                        k++;
                    }

                    AddData(raw, i, k - i);
                }

                i = k;
            }
            else if (StartsWith(i, "&#"))
            {
                if (MatchCharacterReference(i) is { } end)
                {
                    HandleCharacterReference(raw[(i + 2)..(end - 1)]);
                    i = raw[end - 1] == ';' ? end : end - 1;
                    continue;
                }

                // A '&#' that is no reference: html.parser gives it up as text and stops this pass here.
                if (raw.IndexOf(';', i) >= 0)
                {
                    AddData("&#");
                    i += 2;
                }

                break;
            }
            else
            {
                if (MatchEntityReference(i) is { } end)
                {
                    var name = raw[(i + 1)..(end - 1)];
                    AddData(NamedCharacterReferences.Text(name) ?? "&" + name);
                    i = raw[end - 1] == ';' ? end : end - 1;
                    continue;
                }

                if (i + 1 < n && (char.IsAsciiLetter(raw[i + 1]) || raw[i + 1] == '#'))
                {
                    // A name that runs to the end of input: the reference drops the '&' of a two-character tail.
                    if (atEnd && n - i == 2)
                    {
                        i++;
                    }

                    break;
                }

                if (i + 1 < n)
                {
                    AddData("&");
                    i++;
                }
                else
                {
                    break;
                }
            }
        }

        if (atEnd && i < n && _cdataElement is null)
        {
            AddData(raw, i, n - i);
            i = n;
        }

        return i;
    }

    private bool StartsWith(int i, string s) => string.CompareOrdinal(_raw, i, s, 0, s.Length) == 0;

    /// <summary>Where <c>&lt;/name\s*&gt;</c> of the open script or style starts, case-insensitively; -1 if nowhere.</summary>
    private int FindCDataEnd(int from)
    {
        var raw = _raw;
        var name = _cdataElement!;
        for (var p = raw.IndexOf("</", from, StringComparison.Ordinal); p >= 0; p = raw.IndexOf("</", p + 1, StringComparison.Ordinal))
        {
            var q = SkipSpace(p + 2);
            if (q + name.Length <= raw.Length && string.Compare(raw, q, name, 0, name.Length, StringComparison.OrdinalIgnoreCase) == 0)
            {
                q = SkipSpace(q + name.Length);
                if (q < raw.Length && raw[q] == '>')
                {
                    return p;
                }
            }
        }

        return -1;
    }

    private int SkipSpace(int i)
    {
        while (i < _raw.Length && PythonText.IsSpace(_raw[i]))
        {
            i++;
        }

        return i;
    }

    /// <summary>The end of <c>&amp;#digits</c> or <c>&amp;#xhex</c> plus the one character that must follow.</summary>
    private int? MatchCharacterReference(int i)
    {
        var raw = _raw;
        var p = i + 2;
        var hex = p < raw.Length && raw[p] is 'x' or 'X';
        if (hex)
        {
            p++;
        }

        var digitsStart = p;
        while (p < raw.Length && (hex ? char.IsAsciiHexDigit(raw[p]) : char.IsAsciiDigit(raw[p])))
        {
            p++;
        }

        // The character after the digits must exist and be no hex digit; a decimal run followed by a-f fails.
        return p > digitsStart && p < raw.Length && !char.IsAsciiHexDigit(raw[p]) ? p + 1 : null;
    }

    /// <summary>The end of <c>&amp;name</c> plus the one character (no letter or digit) that must follow.</summary>
    private int? MatchEntityReference(int i)
    {
        var raw = _raw;
        if (i + 1 >= raw.Length || !char.IsAsciiLetter(raw[i + 1]))
        {
            return null;
        }

        var p = i + 2;
        while (p < raw.Length && (char.IsAsciiLetterOrDigit(raw[p]) || raw[p] is '-' or '.'))
        {
            p++;
        }

        if (p < raw.Length)
        {
            return p + 1;
        }

        // At the end of input the name gives back characters until a '-' or '.' can serve as the terminator.
        for (var q = p - 1; q > i + 1; q--)
        {
            if (raw[q] is '-' or '.')
            {
                return q + 1;
            }
        }

        return null;
    }

    private void HandleCharacterReference(string reference)
    {
        var hex = reference[0] is 'x' or 'X';
        var digits = hex ? reference.AsSpan(1) : reference.AsSpan();
        var value = 0L;
        foreach (var c in digits)
        {
            value = (value * (hex ? 16 : 10)) + (char.IsAsciiDigit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
            if (value > 0x10FFFF)
            {
                break;
            }
        }

        // Below 256 the reference reads the number as a windows-1252 byte, the way browsers repair such pages.
        string data;
        if (value > 0x10FFFF)
        {
            data = "\uFFFD";
        }
        else if (value is >= 0x80 and <= 0x9F)
        {
            data = NamedCharacterReferences.Windows1252(value).ToString();
        }
        else if (value is >= 0xD800 and <= 0xDFFF)
        {
            data = ((char)value).ToString();
        }
        else
        {
            data = char.ConvertFromUtf32((int)value);
        }

        AddData(data);
    }

    private void AddData(string s) => AddData(s, 0, s.Length);

    /// <summary>Collects text until the next tag or other markup; most text is one slice of the page, taken as is.</summary>
    private void AddData(string s, int start, int length)
    {
        if (!_hasData && ReferenceEquals(s, _raw))
        {
            _sliceStart = start;
            _sliceLength = length;
        }
        else
        {
            if (_sliceStart >= 0)
            {
                _data.Append(_raw, _sliceStart, _sliceLength);
                _sliceStart = -1;
            }

            _data.Append(s, start, length);
        }

        _hasData = true;
    }

    private void EndData(SoupStringKind kind)
    {
        if (!_hasData)
        {
            return;
        }

        var slice = _sliceStart >= 0 ? _raw.AsSpan(_sliceStart, _sliceLength) : default;
        string s;
        if (_preserveStack.Count == 0 && (_sliceStart >= 0 ? IsAsciiSpaceOnly(slice) : IsAsciiSpaceOnly(_data)))
        {
            // Whitespace-only text shrinks to one newline or space (shared instances: pages are full of them).
            s = (_sliceStart >= 0 ? slice.Contains('\n') : _data.ToString().Contains('\n')) ? "\n" : " ";
        }
        else
        {
            s = _sliceStart >= 0 ? slice.ToString() : _data.ToString();
        }

        _data.Clear();
        _sliceStart = -1;
        _hasData = false;
        var container = kind == SoupStringKind.Text && _containerStack.Count > 0 ? _containerStack[^1].Name : null;
        var node = new SoupString(s, kind, container) { Parent = Current };
        Current.Children.Add(node);
    }

    private static bool IsAsciiSpaceOnly(ReadOnlySpan<char> s) => s.IndexOfAnyExcept(" \n\t\f\r") < 0;

    private static bool IsAsciiSpaceOnly(StringBuilder sb)
    {
        foreach (var chunk in sb.GetChunks())
        {
            if (!IsAsciiSpaceOnly(chunk.Span))
            {
                return false;
            }
        }

        return true;
    }

    private void AddString(string value, SoupStringKind kind)
    {
        EndData(SoupStringKind.Text);
        AddData(value);
        EndData(kind);
    }

    private int ParseComment(int i)
    {
        var close = FindCommentClose(i + 4);
        if (close is not var (start, end))
        {
            return -1;
        }

        AddString(_raw[(i + 4)..start], SoupStringKind.Comment);
        return end;
    }

    /// <summary>The first <c>--\s*&gt;</c> from <paramref name="from"/>: its start and end.</summary>
    private (int Start, int End)? FindCommentClose(int from)
    {
        for (var p = _raw.IndexOf("--", from, StringComparison.Ordinal); p >= 0; p = _raw.IndexOf("--", p + 1, StringComparison.Ordinal))
        {
            var q = SkipSpace(p + 2);
            if (q < _raw.Length && _raw[q] == '>')
            {
                return (p, q + 1);
            }
        }

        return null;
    }

    private int ParseProcessingInstruction(int i)
    {
        var close = _raw.IndexOf('>', i + 2);
        if (close < 0)
        {
            return -1;
        }

        AddString(_raw[(i + 2)..close], SoupStringKind.ProcessingInstruction);
        return close + 1;
    }

    private int ParseDeclaration(int i)
    {
        if (StartsWith(i, "<!["))
        {
            return ParseMarkedSection(i);
        }

        if (i + 9 <= _raw.Length && string.Compare(_raw, i, "<!doctype", 0, 9, StringComparison.OrdinalIgnoreCase) == 0)
        {
            var close = _raw.IndexOf('>', i + 9);
            if (close < 0)
            {
                return -1;
            }

            var declaration = _raw[(i + 2)..close];
            AddString(declaration.Length > 8 ? declaration[8..] : "", SoupStringKind.Doctype);
            return close + 1;
        }

        return ParseBogusComment(i);
    }

    private int ParseBogusComment(int i)
    {
        var close = _raw.IndexOf('>', i + 2);
        if (close < 0)
        {
            return -1;
        }

        AddString(_raw[(i + 2)..close], SoupStringKind.Comment);
        return close + 1;
    }

    /// <summary><c>&lt;![CDATA[…]]&gt;</c> and its kin. The reference's parser raises on an unknown keyword; here
    /// such a section reads as a bogus comment so that a page never fails to render.</summary>
    private int ParseMarkedSection(int i)
    {
        var p = i + 3;
        if (p >= _raw.Length)
        {
            return -1;
        }

        if (!char.IsAsciiLetter(_raw[p]))
        {
            return ParseBogusComment(i);
        }

        var nameEnd = p + 1;
        while (nameEnd < _raw.Length && (char.IsAsciiLetterOrDigit(_raw[nameEnd]) || _raw[nameEnd] is '-' or '_' or '.'))
        {
            nameEnd++;
        }

        if (SkipSpace(nameEnd) == _raw.Length)
        {
            return -1;
        }

        var keyword = _raw[p..nameEnd].ToLowerInvariant();
        var standard = keyword is "temp" or "cdata" or "ignore" or "include" or "rcdata";
        if (!standard && keyword is not ("if" or "else" or "endif"))
        {
            return ParseBogusComment(i);
        }

        // ']]>' (or ']>' for Office's conditional sections), with any whitespace between.
        for (var q = _raw.IndexOf(']', p); q >= 0; q = _raw.IndexOf(']', q + 1))
        {
            var r = SkipSpace(q + 1);
            if (standard)
            {
                if (r >= _raw.Length || _raw[r] != ']')
                {
                    continue;
                }

                r = SkipSpace(r + 1);
            }

            if (r < _raw.Length && _raw[r] == '>')
            {
                var body = _raw[p..q];
                if (body.StartsWith("CDATA[", StringComparison.OrdinalIgnoreCase))
                {
                    AddString(body[6..], SoupStringKind.CData);
                }
                else
                {
                    AddString(body, SoupStringKind.Declaration);
                }

                return r + 1;
            }
        }

        return -1;
    }

    private int ParseEndTag(int i)
    {
        var raw = _raw;
        var gt = raw.IndexOf('>', i + 1);
        if (gt < 0)
        {
            return -1;
        }

        var gtEnd = gt + 1;
        if (MatchSimpleEndTag(i) is { } name)
        {
            if (_cdataElement is not null && name != _cdataElement)
            {
                AddData(raw, i, gtEnd - i);
                return gtEnd;
            }

            HandleEndTag(name, checkAlreadyClosed: true);
            _cdataElement = null;
            return gtEnd;
        }

        if (_cdataElement is not null)
        {
            AddData(raw, i, gtEnd - i);
            return gtEnd;
        }

        if (i + 2 >= raw.Length || !char.IsAsciiLetter(raw[i + 2]))
        {
            return StartsWith(i, "</>") ? i + 3 : ParseBogusComment(i);
        }

        var (tagName, afterName) = ReadTagName(i + 2);
        HandleEndTag(tagName, checkAlreadyClosed: true);
        return raw.IndexOf('>', afterName) + 1;
    }

    /// <summary>The lower-cased name of <c>&lt;/\s*name\s*&gt;</c> with a name of letters, digits and <c>-.:_</c>.</summary>
    private string? MatchSimpleEndTag(int i)
    {
        var raw = _raw;
        var p = SkipSpace(i + 2);
        if (p >= raw.Length || !char.IsAsciiLetter(raw[p]))
        {
            return null;
        }

        var start = p;
        while (p < raw.Length && (char.IsAsciiLetterOrDigit(raw[p]) || raw[p] is '-' or '.' or ':' or '_'))
        {
            p++;
        }

        var end = p;
        p = SkipSpace(p);
        return p < raw.Length && raw[p] == '>' ? Names.Lower(raw.AsSpan(start, end - start)) : null;
    }

    /// <summary>A tag name (a letter, then anything but whitespace, '/', '&gt;' or NUL) and where what follows it —
    /// whitespace and slashes not before '&gt;' — ends.</summary>
    private (string Name, int End) ReadTagName(int p)
    {
        var raw = _raw;
        var start = p;
        p++;
        while (p < raw.Length && raw[p] is not ('\t' or '\n' or '\r' or '\f' or ' ' or '/' or '>' or '\0'))
        {
            p++;
        }

        return (Names.Lower(raw.AsSpan(start, p - start)), SkipSpaceAndLoneSlashes(p));
    }

    private int SkipSpaceAndLoneSlashes(int p)
    {
        var raw = _raw;
        while (p < raw.Length && (PythonText.IsSpace(raw[p]) || (raw[p] == '/' && (p + 1 >= raw.Length || raw[p + 1] != '>'))))
        {
            p++;
        }

        return p;
    }

    private int ParseStartTag(int i)
    {
        var raw = _raw;
        var endPos = FindStartTagEnd(i);
        if (endPos < 0)
        {
            return endPos;
        }

        // The attributes are those found while locating the end: both scans start where no attribute can begin
        // if their starts differ (at a '/' before '>'), so they read the same ones.
        var (name, k) = ReadTagName(i + 1);
        var attributes = new List<KeyValuePair<string, string>>(_attributeSpans.Count);
        foreach (var attribute in _attributeSpans)
        {
            var value = attribute.ValueStart < 0 ? "" : raw[attribute.ValueStart..attribute.ValueEnd];
            if (value.Length >= 2 && value[0] is '\'' or '"' && value[^1] == value[0])
            {
                value = value[1..^1];
            }

            if (value.Length > 0)
            {
                value = NamedCharacterReferences.Unescape(value);
            }

            attributes.Add(new(Names.Lower(raw.AsSpan(attribute.NameStart, attribute.NameEnd - attribute.NameStart)), value));
            k = SkipSpaceAndLoneSlashes(attribute.End);
        }

        var rest = k < endPos ? PythonText.Strip(raw[k..endPos]) : "";
        if (rest is not (">" or "/>"))
        {
            AddData(raw, i, endPos - i);
            return endPos;
        }

        if (rest == "/>")
        {
            HandleStartTag(name, attributes, closeVoid: false);
            HandleEndTag(name, checkAlreadyClosed: true);
        }
        else
        {
            HandleStartTag(name, attributes, closeVoid: true);
            if (name is "script" or "style")
            {
                _cdataElement = name;
            }
        }

        return endPos;
    }

    /// <summary>Where a start tag ends (after '&gt;'), or -1 when its end cannot be known yet.</summary>
    private int FindStartTagEnd(int i)
    {
        var raw = _raw;

        // Before the first attribute any run of whitespace and slashes is skipped, even a slash before '>'.
        var afterName = i + 1;
        while (afterName < raw.Length && raw[afterName] is not ('\t' or '\n' or '\r' or '\f' or ' ' or '/' or '>' or '\0'))
        {
            afterName++;
        }

        var p = afterName;
        while (p < raw.Length && (PythonText.IsSpace(raw[p]) || raw[p] == '/'))
        {
            p++;
        }

        _attributeSpans.Clear();
        while (ScanAttribute(p) is { } attribute)
        {
            _attributeSpans.Add(attribute);
            p = SkipSpaceAndLoneSlashes(attribute.End);
        }

        p = SkipSpace(p);
        if (p >= raw.Length)
        {
            return -1;
        }

        var next = raw[p];
        if (next == '>')
        {
            return p + 1;
        }

        if (next == '/')
        {
            return StartsWith(p, "/>") ? p + 2 : -1;
        }

        if (char.IsAsciiLetter(next) || next == '=')
        {
            return -1;
        }

        return p > i ? p : i + 1;
    }

    private readonly record struct AttributeSpan(int NameStart, int NameEnd, int ValueStart, int ValueEnd, int End);

    /// <summary>
    /// One attribute at <paramref name="p"/> as html.parser's tolerant pattern reads it: a name after a quote,
    /// whitespace or slash; then optionally '=' (one or more) and a quoted or bare value. A quote that never closes
    /// makes the pattern back off: to an empty value before the last space, to a bare value starting at the last of
    /// several '=', or to no value.
    /// </summary>
    private AttributeSpan? ScanAttribute(int p)
    {
        var raw = _raw;
        if (p <= 0 || p >= raw.Length)
        {
            return null;
        }

        var before = raw[p - 1];
        if (!(before is '\'' or '"' or '/' || PythonText.IsSpace(before)))
        {
            return null;
        }

        var c = raw[p];
        if (c is '/' or '>' || PythonText.IsSpace(c))
        {
            return null;
        }

        var nameStart = p;
        p++;
        while (p < raw.Length && raw[p] is not ('/' or '=' or '>') && !PythonText.IsSpace(raw[p]))
        {
            p++;
        }

        var nameEnd = p;
        var q = SkipSpace(p);
        if (q >= raw.Length || raw[q] != '=')
        {
            return new(nameStart, nameEnd, -1, -1, nameEnd);
        }

        var equalsStart = q;
        while (q < raw.Length && raw[q] == '=')
        {
            q++;
        }

        var equalsEnd = q;
        var valueStart = SkipSpace(q);
        if (valueStart < raw.Length && raw[valueStart] is '\'' or '"')
        {
            var close = raw.IndexOf(raw[valueStart], valueStart + 1);
            if (close >= 0)
            {
                return new(nameStart, nameEnd, valueStart, close + 1, close + 1);
            }

            if (valueStart > equalsEnd)
            {
                return new(nameStart, nameEnd, valueStart - 1, valueStart - 1, valueStart - 1);
            }

            if (equalsEnd - equalsStart > 1)
            {
                return new(nameStart, nameEnd, equalsEnd - 1, BareValueEnd(equalsEnd - 1), BareValueEnd(equalsEnd - 1));
            }

            return new(nameStart, nameEnd, -1, -1, nameEnd);
        }

        var valueEnd = BareValueEnd(valueStart);
        return new(nameStart, nameEnd, valueStart, valueEnd, valueEnd);
    }

    private int BareValueEnd(int p)
    {
        while (p < _raw.Length && _raw[p] != '>' && !PythonText.IsSpace(_raw[p]))
        {
            p++;
        }

        return p;
    }

    private void HandleStartTag(string name, List<KeyValuePair<string, string>> attributes, bool closeVoid)
    {
        EndData(SoupStringKind.Text);
        var element = new SoupElement(name) { Parent = Current };
        foreach (var (key, value) in attributes)
        {
            // A repeated attribute keeps its first place and takes the last value.
            element.SetAttribute(key, IsWordList(name, key) ? JoinWords(value) : value);
        }

        Current.Children.Add(element);
        _stack.Add(element);
        if (PreservesWhitespace(name))
        {
            _preserveStack.Add(element);
        }

        // Text inside these gets its own string class (see SoupString.Container).
        if (name is "rt" or "rp" or "style" or "script" or "template")
        {
            _containerStack.Add(element);
        }

        if (closeVoid && VoidElements.Contains(name))
        {
            HandleEndTag(name, checkAlreadyClosed: false);
            _alreadyClosedVoid.Add(name);
        }
    }

    /// <summary>Attributes BeautifulSoup splits into lists of words (on any element, or on the named ones); it
    /// compares and prints them with single spaces.</summary>
    private static bool IsWordList(string element, string attribute) => attribute switch
    {
        "class" or "accesskey" or "dropzone" => true,
        "rel" => element is "a" or "link" or "area",
        "rev" => element is "a" or "link",
        "headers" => element is "td" or "th",
        "accept-charset" => element == "form",
        "archive" => element == "object",
        "sizes" => element == "icon",
        "sandbox" => element == "iframe",
        "for" => element == "output",
        _ => false,
    };

    private static string JoinWords(string value)
    {
        var words = new List<string>();
        var i = 0;
        while (i < value.Length)
        {
            while (i < value.Length && PythonText.IsSpace(value[i]))
            {
                i++;
            }

            var start = i;
            while (i < value.Length && !PythonText.IsSpace(value[i]))
            {
                i++;
            }

            if (i > start)
            {
                words.Add(value[start..i]);
            }
        }

        return string.Join(' ', words);
    }

    private void HandleEndTag(string name, bool checkAlreadyClosed)
    {
        // The end tag of a void element that was closed at its start is swallowed (once per such start).
        if (checkAlreadyClosed && _alreadyClosedVoid.Remove(name))
        {
            return;
        }

        EndData(SoupStringKind.Text);

        // Everything above the innermost open element of that name is closed with it; with none open, nothing is.
        var open = _stack.Count - 1;
        while (open > 0 && _stack[open].Name != name)
        {
            open--;
        }

        while (open > 0 && _stack.Count > open)
        {
            PopTag();
        }
    }

    private void PopTag()
    {
        var element = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        if (_preserveStack.Count > 0 && ReferenceEquals(_preserveStack[^1], element))
        {
            _preserveStack.RemoveAt(_preserveStack.Count - 1);
        }

        if (_containerStack.Count > 0 && ReferenceEquals(_containerStack[^1], element))
        {
            _containerStack.RemoveAt(_containerStack.Count - 1);
        }
    }
}
