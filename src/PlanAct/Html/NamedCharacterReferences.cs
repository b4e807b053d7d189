using System.Globalization;
using System.Text;
using PlanAct.IO;

namespace PlanAct.Html;

/// <summary>
/// HTML's named character references (the table of the WHATWG HTML standard, in
/// <c>named-character-references.tsv</c>: name, then the code points in hex) and the two ways the reference's parser
/// decodes references: in text (BeautifulSoup: any known name, with or without ';') and in attribute values
/// (Python's <c>html.unescape</c>: the standard's rules, including legacy names without ';' as a prefix).
/// </summary>
internal static class NamedCharacterReferences
{
    private static readonly Lazy<(Dictionary<string, string> Exact, Dictionary<string, string> WithoutSemicolon)> Tables =
        new(Load);

    /// <summary>The windows-1252 characters of bytes 0x80-0x9F; the five bytes it leaves undefined map to themselves.</summary>
    private const string Windows1252High =
        "\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F" +
        "\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178";

    public static char Windows1252(long value) => Windows1252High[(int)value - 0x80];

    /// <summary>What a reference <c>&amp;name</c> in text stands for, or null when the name is unknown.</summary>
    public static string? Text(string name) => Tables.Value.WithoutSemicolon.GetValueOrDefault(name);

    /// <summary>Decodes the references in an attribute value.</summary>
    public static string Unescape(string s)
    {
        var amp = s.IndexOf('&');
        if (amp < 0)
        {
            return s;
        }

        var exact = Tables.Value.Exact;
        var sb = new StringBuilder(s.Length);
        sb.Append(s, 0, amp);
        var i = amp;
        while (i < s.Length)
        {
            if (s[i] != '&')
            {
                sb.Append(s[i]);
                i++;
                continue;
            }

            var end = ReferenceEnd(s, i);
            if (end <= i + 1)
            {
                sb.Append('&');
                i++;
                continue;
            }

            var reference = s[(i + 1)..end];
            sb.Append(reference[0] == '#' ? Numeric(reference) : Named(reference, exact));
            i = end;
        }

        return sb.ToString();
    }

    /// <summary>Where a reference starting at <paramref name="amp"/> ends: '#' and digits, '#x' and hex digits, or
    /// up to 32 characters that are no whitespace, '&lt;', '&amp;', '#' or ';' — each with an optional ';'.</summary>
    private static int ReferenceEnd(string s, int amp)
    {
        var p = amp + 1;
        if (p < s.Length && s[p] == '#')
        {
            p++;
            var hex = p + 1 < s.Length && s[p] is 'x' or 'X' && char.IsAsciiHexDigit(s[p + 1]);
            if (hex)
            {
                p++;
            }

            var start = p;
            while (p < s.Length && (hex ? char.IsAsciiHexDigit(s[p]) : char.IsAsciiDigit(s[p])))
            {
                p++;
            }

            if (p == start)
            {
                return amp;
            }
        }
        else
        {
            var start = p;
            while (p < s.Length && p - start < 32 && s[p] is not ('\t' or '\n' or '\f' or ' ' or '<' or '&' or '#' or ';'))
            {
                p++;
            }

            if (p == start)
            {
                return amp;
            }
        }

        return p < s.Length && s[p] == ';' ? p + 1 : p;
    }

    private static string Numeric(string reference)
    {
        var hex = reference[1] is 'x' or 'X';
        var digits = reference.AsSpan(hex ? 2 : 1).TrimEnd(';');
        var value = 0L;
        foreach (var c in digits)
        {
            value = (value * (hex ? 16 : 10)) + (char.IsAsciiDigit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
            if (value > 0x10FFFF)
            {
                return "\uFFFD";
            }
        }

        return value switch
        {
            0 => "\uFFFD",
            0x0D => "\r",
            >= 0x80 and <= 0x9F => Windows1252(value).ToString(),
            >= 0xD800 and <= 0xDFFF => "\uFFFD",
            // Control characters and noncharacters decode to nothing.
            (>= 0x01 and <= 0x08) or 0x0B or (>= 0x0E and <= 0x1F) or 0x7F or (>= 0xFDD0 and <= 0xFDEF) => "",
            _ when (value & 0xFFFE) == 0xFFFE => "",
            _ => char.ConvertFromUtf32((int)value),
        };
    }

    private static string Named(string reference, Dictionary<string, string> exact)
    {
        if (exact.TryGetValue(reference, out var value))
        {
            return value;
        }

        // The longest known prefix (of at least two characters) stands for itself; the rest stays as written.
        for (var length = reference.Length - 1; length > 1; length--)
        {
            if (exact.TryGetValue(reference[..length], out value))
            {
                return value + reference[length..];
            }
        }

        return "&" + reference;
    }

    private static (Dictionary<string, string>, Dictionary<string, string>) Load()
    {
        var exact = new Dictionary<string, string>(StringComparer.Ordinal);
        var withoutSemicolon = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in EmbeddedText.Read(typeof(NamedCharacterReferences), "named-character-references.tsv").Split('\n'))
        {
            var tab = line.IndexOf('\t');
            if (tab < 0)
            {
                continue;
            }

            var name = line[..tab];
            var value = string.Concat(line[(tab + 1)..].Split(' ').Select(h => char.ConvertFromUtf32(int.Parse(h, NumberStyles.HexNumber, CultureInfo.InvariantCulture))));
            exact[name] = value;
            withoutSemicolon.TryAdd(name.TrimEnd(';'), value);
        }

        return (exact, withoutSemicolon);
    }
}
