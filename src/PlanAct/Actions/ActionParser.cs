using System.Globalization;
using System.Text;
using PlanAct.IO;

namespace PlanAct.Actions;

/// <summary>
/// Parses WebArena-Lite / WebRL action text: comment lines (<c># Element:</c>, <c># Note:</c>, other <c>#</c> lines)
/// followed by exactly one call whose arguments are Python-style literals.
/// </summary>
internal static class ActionParser
{
    private static readonly string[] DoPositional = ["action", "argument", "element"];
    private static readonly string[] ExitPositional = ["message"];

    public static WebAction Parse(string text)
    {
        var (comments, function, arguments, scanner) = ReadCommentsAndCall(text);
        return new WebAction(comments.ToEquatableList(), function, Canonicalize(function, arguments, scanner).ToEquatableList());
    }

    /// <summary>Parses <paramref name="text"/> as an action of <paramref name="grammar"/>.</summary>
    public static WebAction Parse(string text, ActionGrammar grammar) => grammar switch
    {
        ActionGrammar.BrowserGym => BrowserGymGrammar.Parse(text),
        ActionGrammar.WebVoyager => WebVoyagerGrammar.Parse(text),
        _ => Parse(text),
    };

    public static bool TryParse(string text, ActionGrammar grammar, out WebAction? action, out string? error)
    {
        try
        {
            action = Parse(text, grammar);
            error = null;
            return true;
        }
        catch (ActionSyntaxException e)
        {
            action = null;
            error = e.Message;
            return false;
        }
    }

    /// <summary>Comment lines, then one Python-style call: the shape WebRL and BrowserGym actions share.</summary>
    internal static (List<ActionComment> Comments, string Function, List<ActionArgument> Arguments, Scanner Scanner) ReadCommentsAndCall(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var comments = new List<ActionComment>();
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var lineIndex = 0;
        for (; lineIndex < lines.Length; lineIndex++)
        {
            var line = lines[lineIndex].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (!line.StartsWith('#'))
            {
                break;
            }

            comments.Add(ParseComment(line));
        }

        if (lineIndex == lines.Length)
        {
            throw new ActionSyntaxException(comments.Count == 0 ? "empty action" : "comments but no call", lines.Length, 1);
        }

        // A call's string literal may span lines only through escapes, but tolerate a literal newline inside it.
        var callText = string.Join('\n', lines[lineIndex..]);
        var scanner = new Scanner(callText, lineIndex + 1);
        var (function, arguments) = scanner.ReadCall();
        return (comments, function, arguments, scanner);
    }

    public static bool TryParse(string text, out WebAction? action, out string? error) => TryParse(text, ActionGrammar.WebRl, out action, out error);

    internal static ActionComment ParseComment(string line)
    {
        var body = line[1..];
        var trimmed = body.TrimStart();
        if (TryStripLabel(trimmed, "Element:", out var element))
        {
            return new ActionComment(CommentKind.Element, element);
        }

        if (TryStripLabel(trimmed, "Note:", out var note))
        {
            return new ActionComment(CommentKind.Note, note);
        }

        return new ActionComment(CommentKind.Other, body.TrimEnd());
    }

    private static bool TryStripLabel(string text, string label, out string rest)
    {
        if (text.StartsWith(label, StringComparison.OrdinalIgnoreCase))
        {
            rest = text[label.Length..].Trim();
            return true;
        }

        rest = "";
        return false;
    }

    /// <summary>Names positional arguments of known functions and puts known names in the canonical order.</summary>
    private static List<ActionArgument> Canonicalize(string function, List<ActionArgument> arguments, Scanner scanner)
    {
        var order = function switch
        {
            WebAction.DoFunction => DoPositional,
            WebAction.ExitFunction => ExitPositional,
            _ => null,
        };
        arguments = [.. arguments.Select(a => a with { Bare = false })];
        if (order is null)
        {
            return arguments;
        }

        var named = new List<ActionArgument>(arguments.Count);
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (argument.Name is null)
            {
                if (i >= order.Length)
                {
                    throw scanner.Error($"{function}() takes at most {order.Length} positional arguments");
                }

                argument = argument with { Name = order[i] };
            }

            if (named.Any(a => a.Name == argument.Name))
            {
                throw scanner.Error($"argument \"{argument.Name}\" given twice");
            }

            named.Add(argument);
        }

        // None-valued known arguments carry no information; dropping them makes `element=None` print canonically.
        return
        [
            .. order.Select(name => named.FirstOrDefault(a => a.Name == name)).OfType<ActionArgument>().Where(a => a.Value is not null),
            .. named.Where(a => !order.Contains(a.Name)),
        ];
    }

    /// <summary>Reads one Python-style call: a name, then positional or keyword arguments that are literals.</summary>
    internal sealed class Scanner(string text, int firstLine)
    {
        private int _pos;

        public (string Function, List<ActionArgument> Arguments) ReadCall()
        {
            SkipSpace();
            var function = ReadIdentifier() ?? throw Error("expected a call such as do(...), exit(...) or go_backward()");
            SkipSpace();
            Expect('(');
            var arguments = new List<ActionArgument>();
            SkipSpace();
            if (Peek() == ')')
            {
                _pos++;
            }
            else
            {
                while (true)
                {
                    arguments.Add(ReadArgument());
                    SkipSpace();
                    var c = Peek();
                    if (c == ',')
                    {
                        _pos++;
                        SkipSpace();
                        if (Peek() == ')')
                        {
                            _pos++;
                            break;
                        }

                        continue;
                    }

                    if (c == ')')
                    {
                        _pos++;
                        break;
                    }

                    throw Error(c is null ? "unclosed call: missing ')'" : $"expected ',' or ')' but found '{c}'");
                }
            }

            SkipSpace();
            if (_pos < text.Length)
            {
                throw Error("unexpected text after the call");
            }

            return (function, arguments);
        }

        public ActionSyntaxException Error(string reason)
        {
            var before = text.AsSpan(0, Math.Min(_pos, text.Length));
            var line = before.Count('\n');
            var column = _pos - (before.LastIndexOf('\n') + 1) + 1;
            return new ActionSyntaxException(reason, firstLine + line, column);
        }

        private ActionArgument ReadArgument()
        {
            var start = _pos;
            var identifier = ReadIdentifier();
            if (identifier is not null)
            {
                SkipSpace();
                if (Peek() == '=')
                {
                    _pos++;
                    SkipSpace();
                    var (value, bare) = ReadValue();
                    return new ActionArgument(identifier, value) { Bare = bare };
                }

                _pos = start;
            }

            var (positional, isBare) = ReadValue();
            return new ActionArgument(null, positional) { Bare = isBare };
        }

        /// <summary>A literal: a string (not bare), or a bare token or list kept as canonical text (bare).</summary>
        private (string? Value, bool Bare) ReadValue()
        {
            var c = Peek() ?? throw Error("expected a value");
            if (c is '"' or '\'')
            {
                return (ReadString(), false);
            }

            if ((c is 'r' or 'R' or 'u' or 'U') && _pos + 1 < text.Length && text[_pos + 1] is '"' or '\'')
            {
                var raw = c is 'r' or 'R';
                _pos++;
                return (ReadString(raw), false);
            }

            if (c == '[')
            {
                return (ReadList(), true);
            }

            // Bare tokens: numbers (element=15), None, True/False.
            var start = _pos;
            while (_pos < text.Length && (char.IsLetterOrDigit(text[_pos]) || text[_pos] is '.' or '-' or '+' or '_'))
            {
                _pos++;
            }

            if (_pos == start)
            {
                throw Error($"expected a value but found '{c}'");
            }

            var token = text[start.._pos];
            return token == "None" ? (null, false) : (token, true);
        }

        /// <summary>A list of literals such as <c>['a', 'b']</c>, returned in canonical form.</summary>
        private string ReadList()
        {
            _pos++;
            var items = new List<(string? Value, bool Bare)>();
            SkipSpace();
            while (Peek() != ']')
            {
                items.Add(ReadValue());
                SkipSpace();
                if (Peek() == ',')
                {
                    _pos++;
                    SkipSpace();
                }
                else if (Peek() != ']')
                {
                    throw Error(Peek() is null ? "unclosed list: missing ']'" : $"expected ',' or ']' but found '{Peek()}'");
                }
            }

            _pos++;
            var sb = new StringBuilder("[");
            foreach (var (value, bare) in items)
            {
                if (sb.Length > 1)
                {
                    sb.Append(", ");
                }

                if (bare)
                {
                    sb.Append(value);
                }
                else
                {
                    ActionPrinter.AppendLiteral(sb, value, '\'');
                }
            }

            return sb.Append(']').ToString();
        }

        private string ReadString(bool raw = false)
        {
            var quote = text[_pos];
            var open = _pos;
            _pos++;
            var sb = new StringBuilder();
            while (true)
            {
                if (_pos >= text.Length)
                {
                    _pos = open;
                    throw Error("unterminated string literal");
                }

                var c = text[_pos++];
                if (c == quote)
                {
                    return sb.ToString();
                }

                if (c != '\\')
                {
                    sb.Append(c);
                    continue;
                }

                if (_pos >= text.Length)
                {
                    _pos = open;
                    throw Error("unterminated string literal");
                }

                var e = text[_pos++];
                if (raw)
                {
                    sb.Append('\\').Append(e);
                    continue;
                }

                switch (e)
                {
                    case '\n': break;
                    case '\\': sb.Append('\\'); break;
                    case '\'': sb.Append('\''); break;
                    case '"': sb.Append('"'); break;
                    case 'n': sb.Append('\n'); break;
                    case 't': sb.Append('\t'); break;
                    case 'r': sb.Append('\r'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'v': sb.Append('\v'); break;
                    case 'a': sb.Append('\a'); break;
                    case 'x': AppendCodePoint(sb, ReadHex(2)); break;
                    case 'u': AppendCodePoint(sb, ReadHex(4)); break;
                    case 'U': AppendCodePoint(sb, ReadHex(8)); break;
                    case >= '0' and <= '7':
                        var value = e - '0';
                        for (var n = 0; n < 2 && _pos < text.Length && text[_pos] is >= '0' and <= '7'; n++)
                        {
                            value = (value * 8) + (text[_pos++] - '0');
                        }

                        sb.Append((char)value);
                        break;
                    default:
                        // Python keeps an unknown escape as written.
                        sb.Append('\\').Append(e);
                        break;
                }
            }
        }

        private int ReadHex(int digits)
        {
            if (_pos + digits > text.Length
                || !int.TryParse(text.AsSpan(_pos, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
            {
                throw Error($"bad escape: expected {digits} hex digits");
            }

            _pos += digits;
            return value;
        }

        private void AppendCodePoint(StringBuilder sb, int codePoint)
        {
            if (codePoint is < 0 or > 0x10FFFF)
            {
                throw Error($"escape names no character (U+{codePoint:X})");
            }

            if (codePoint is >= 0xD800 and <= 0xDFFF)
            {
                // A lone surrogate escape (\ud83d) is kept as that UTF-16 unit so a following one can pair with it.
                sb.Append((char)codePoint);
            }
            else
            {
                sb.Append(char.ConvertFromUtf32(codePoint));
            }
        }

        private string? ReadIdentifier()
        {
            var start = _pos;
            if (_pos < text.Length && (char.IsLetter(text[_pos]) || text[_pos] == '_'))
            {
                _pos++;
                while (_pos < text.Length && (char.IsLetterOrDigit(text[_pos]) || text[_pos] == '_'))
                {
                    _pos++;
                }
            }

            return _pos == start ? null : text[start.._pos];
        }

        private void Expect(char c)
        {
            if (Peek() != c)
            {
                throw Error(Peek() is { } found ? $"expected '{c}' but found '{found}'" : $"expected '{c}'");
            }

            _pos++;
        }

        private char? Peek() => _pos < text.Length ? text[_pos] : null;

        private void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos]))
            {
                _pos++;
            }
        }
    }
}
