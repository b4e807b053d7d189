using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace PlanAct.Plans.Hindsight;

/// <summary>What kind of value a plan names: how it is compared with what the model saw.</summary>
internal enum ValueKind
{
    /// <summary>A number, a price or a count: compared by its value ("$1,299.00" is 1299).</summary>
    Number,

    /// <summary>A date: compared by month, day and year however it is written ("3 May 2021" is "May 3, 2021").</summary>
    Date,

    /// <summary>A quoted string, a name, a time, a phone number, a URL or an email: compared as words.</summary>
    Phrase,
}

/// <summary>One value found in a text: as written, and the key it is compared by.</summary>
internal sealed record FoundValue(string Written, ValueKind Kind, string Key);

/// <summary>
/// A text as the hindsight check compares it: the numbers it holds (by value) and its words, lower case, every run of
/// other characters one space, so that a phrase is found whatever its case, punctuation or thousands separators.
/// </summary>
internal sealed partial class HindsightText
{
    private static readonly string[] Months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    // Small words that may sit inside a name ("Bank of America") but never start one.
    private static readonly HashSet<string> Joiners = new(StringComparer.OrdinalIgnoreCase) { "of", "for", "and", "the", "&", "de", "on", "in", "with", "to" };

    // Words a plan's sentences start with: capitalised there, never the first word of a name.
    private static readonly HashSet<string> Starters = new(StringComparer.OrdinalIgnoreCase)
    {
        "a", "an", "this", "that", "these", "those", "its", "their", "then", "so", "once", "if", "when", "after", "before", "since", "as", "from", "at", "by",
        "each", "every", "both", "only", "now", "next", "first", "finally", "open", "click", "search", "go", "find", "select", "type", "read", "sort", "filter",
        "check", "report", "use", "scroll", "navigate", "enter", "return", "look", "note", "answer", "add", "change", "set", "fill", "submit", "save", "visit",
        "hover", "choose", "locate", "identify", "confirm", "verify", "review", "post", "write", "create", "update", "edit", "delete", "get", "list", "show",
    };

    // Numbers of the plan's own structure and element ids, never a fact of the site.
    private static readonly HashSet<string> Structural = new(StringComparer.OrdinalIgnoreCase) { "step", "steps", "action", "actions", "round", "rounds", "element", "elements" };

    private readonly Lazy<Indexed> _indexed;

    public HindsightText(string text)
        : this(() => text)
    {
    }

    /// <summary>A text made only when first asked about (a rendered page: most checks never need the later ones).</summary>
    public HindsightText(Func<string> text) => _indexed = new(() => Indexed.Of(text()), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>True when the text holds the value: the same number, the same date (a date with a year holds the date without it), or the same words in a row.</summary>
    public bool Holds(FoundValue value) => value.Kind switch
    {
        ValueKind.Number => _indexed.Value.Numbers.Contains(value.Key),
        ValueKind.Date => _indexed.Value.Dates.Contains(value.Key),
        _ => _indexed.Value.Words.Contains(" " + value.Key + " ", StringComparison.Ordinal),
    };

    /// <summary>A text's words (spaced, for whole-word search), number keys and date keys.</summary>
    private sealed record Indexed(string Words, HashSet<string> Numbers, HashSet<string> Dates)
    {
        public static Indexed Of(string text) => new(
            " " + HindsightText.Words(text) + " ",
            [.. Number().Matches(text).Select(m => NumberKey(m.Value))],
            [.. Date().Matches(text).SelectMany(m => DateKeys(m.Value))]);
    }

    /// <summary>
    /// The values a text names: URLs and emails, quoted strings, dates and times, phone numbers, prices and other
    /// numbers (with the word they count, "7 products"), and names of two or more capitalised words. A value is taken
    /// by the first of these patterns that covers it; numbers of the plan's own steps, actions and rounds are not values.
    /// </summary>
    public static IReadOnlyList<FoundValue> Values(string text)
    {
        var taken = new bool[text.Length];
        var found = new List<(int At, FoundValue Value)>();

        void Take(Regex pattern, Func<Match, FoundValue?> value)
        {
            foreach (Match match in pattern.Matches(text))
            {
                if (taken.AsSpan(match.Index, match.Length).Contains(true) || value(match) is not { } v)
                {
                    continue;
                }

                taken.AsSpan(match.Index, match.Length).Fill(true);
                found.Add((match.Index, v));
            }
        }

        FoundValue? Phrase(string written)
        {
            var key = Words(written);
            return key.Length == 0 ? null : new FoundValue(written, ValueKind.Phrase, key);
        }

        Take(Link(), m => m.Value.TrimEnd('.', ',', ';', ':', ')', '\'', '"') is var link ? Phrase(Unlinked(link)) is { } p ? p with { Written = link } : null : null);
        Take(Quoted(), m => m.Groups["text"].Value.Trim() is { Length: > 1 } inner ? Phrase(inner) : null);
        Take(Date(), m => new FoundValue(m.Value, ValueKind.Date, DateKeys(m.Value)[0]));
        Take(Clock(), m => Phrase(m.Value));
        Take(Phone(), m => Phrase(m.Value));
        Take(Number(), m => CountOf(text, m));
        Take(Name(), m => NameOf(text, m));
        return [.. found.OrderBy(f => f.At).Select(f => f.Value)];
    }

    /// <summary>A number as a value: by its value, written with the word after it when that word says what it counts; a lone digit that counts nothing is none.</summary>
    private static FoundValue? CountOf(string text, Match match)
    {
        var before = PreviousWord(text, match.Index);
        var after = NextWord(text, match.Index + match.Length);
        if (Structural.Contains(before) || Structural.Contains(after))
        {
            return null;
        }

        var written = match.Value;
        var counts = after.Length > 1 && !Joiners.Contains(after);
        if (!counts && written.Length == 1)
        {
            // A lone digit ("option 2", "trace 3") says too little to be a fact taken from a page.
            return null;
        }

        if (counts)
        {
            written = text[match.Index..(text.IndexOf(after, match.Index + match.Length, StringComparison.Ordinal) + after.Length)];
        }

        return new FoundValue(written, ValueKind.Number, NumberKey(match.Value));
    }

    /// <summary>A run of capitalised words as a name, without a first word that is capitalised only because it starts a sentence.</summary>
    private static FoundValue? NameOf(string text, Match match)
    {
        var words = match.Value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).ToList();
        if (SentenceStart(text, match.Index) && Starters.Contains(words[0]))
        {
            words.RemoveAt(0);
        }

        while (words.Count > 0 && Joiners.Contains(words[0]))
        {
            words.RemoveAt(0);
        }

        if (words.Count(w => char.IsUpper(w[0])) < 2)
        {
            return null;
        }

        var written = string.Join(' ', words).TrimEnd('.', '\'', '’');
        return new FoundValue(written, ValueKind.Phrase, Words(written));
    }

    private static bool SentenceStart(string text, int index)
    {
        var before = text.AsSpan(0, index).TrimEnd(" \t*_(\"'“‘");
        return before.Length == 0 || before[^1] is '.' or ':' or '!' or '?' or '\n' or ';' or '-';
    }

    private static string PreviousWord(string text, int index)
    {
        var before = text.AsSpan(0, index).TrimEnd(" #");
        var start = before.Length;
        while (start > 0 && char.IsLetter(before[start - 1]))
        {
            start--;
        }

        return before[start..].ToString();
    }

    private static string NextWord(string text, int index)
    {
        var after = text.AsSpan(index).TrimStart(' ');
        var end = 0;
        while (end < after.Length && char.IsLetter(after[end]))
        {
            end++;
        }

        return after[..end].ToString();
    }

    /// <summary>A number's key: no sign, currency, thousands separators, ordinal ending or trailing zeros ("$1,299.50" → "1299.5").</summary>
    private static string NumberKey(string written)
    {
        var digits = new string([.. written.Where(c => char.IsAsciiDigit(c) || c == '.')]).Trim('.');
        return decimal.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            ? value.ToString("0.############################", CultureInfo.InvariantCulture)
            : digits;
    }

    /// <summary>A date's keys: "may 3 2021" and, when it has a year, "may 3" too; US order for "5/3/2021".</summary>
    private static string[] DateKeys(string written)
    {
        var parts = Words(written).Split(' ');
        var named = Array.FindIndex(parts, p => Array.IndexOf(Months, p) >= 0);
        var (month, day, year) = named >= 0
            ? (parts[named], parts[named == 0 ? 1 : 0], parts.Length > 2 ? parts[2] : null)
            : parts[0].Length == 4 ? (MonthNumbered(parts[1]), parts[2], parts[0]) : (MonthNumbered(parts[0]), parts[1], parts[2]);
        var monthDay = $"{month} {DayNumber(day)}";
        return year is null ? [monthDay] : [$"{monthDay} {year}", monthDay];
    }

    private static string MonthNumbered(string number) =>
        int.TryParse(number, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 12 ? Months[n - 1] : number;

    private static string DayNumber(string day) => int.TryParse(day.TrimEnd('s', 't', 'n', 'd', 'r', 'h'), CultureInfo.InvariantCulture, out var n) ? n.ToString(CultureInfo.InvariantCulture) : day;

    /// <summary>A URL without its scheme and <c>www.</c>, so that the same address written either way is one value.</summary>
    private static string Unlinked(string url) => SchemePrefix().Replace(url, "");

    /// <summary>The words of a text as the check compares them: lower case, numbers without thousands separators, month names cut to three letters.</summary>
    internal static string Words(string text)
    {
        var plain = Thousands().Replace(text, m => m.Value.Replace(",", "", StringComparison.Ordinal));
        var words = new StringBuilder(plain.Length);
        foreach (Match word in Word().Matches(plain))
        {
            var lower = word.Value.ToLowerInvariant();
            var month = lower.Length > 3 ? Array.Find(Months, m => lower.StartsWith(m, StringComparison.Ordinal) && MonthName().IsMatch(lower)) : null;
            words.Append(words.Length > 0 ? " " : "").Append(month ?? lower);
        }

        return words.ToString();
    }

    [GeneratedRegex(@"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Link();

    [GeneratedRegex(@"^(?:https?://)?(?:www\.)?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SchemePrefix();

    // A quote opens after a space or bracket and closes before one, so "Hershey's" and "users' posts" are not quotes.
    [GeneratedRegex("""(?<![\w])(?:"(?<text>[^"\n]{1,120})"|“(?<text>[^”\n]{1,120})”|'(?<text>[^'\n]{1,120})'(?![\w])|‘(?<text>[^’\n]{1,120})’)""", RegexOptions.CultureInvariant)]
    private static partial Regex Quoted();

    [GeneratedRegex(@"\b(?:(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?|\d{1,2}(?:st|nd|rd|th)?\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?(?:,?\s+\d{4})?|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4})\b", RegexOptions.CultureInvariant)]
    private static partial Regex Date();

    [GeneratedRegex(@"\b\d{1,3}:\d{2}(?::\d{2})?(?:\s?[AaPp]\.?[Mm]\.?)?(?![\w:])", RegexOptions.CultureInvariant)]
    private static partial Regex Clock();

    [GeneratedRegex(@"(?<![\w.])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)|\d{2,4})(?:[\s.-]\d{2,4}){2,}(?![\w.])", RegexOptions.CultureInvariant)]
    private static partial Regex Phone();

    // A number, with a currency sign, thousands separators, decimals, a percent sign or an ordinal ending.
    [GeneratedRegex(@"(?<![\w.])(?:[$€£]\s?)?-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:%|st\b|nd\b|rd\b|th\b)?", RegexOptions.CultureInvariant)]
    private static partial Regex Number();

    [GeneratedRegex(@"\b\d{1,3}(?:,\d{3})+\b", RegexOptions.CultureInvariant)]
    private static partial Regex Thousands();

    [GeneratedRegex(@"[\p{L}\p{N}]+", RegexOptions.CultureInvariant)]
    private static partial Regex Word();

    [GeneratedRegex(@"^(?:january|february|march|april|june|july|august|september|sept|october|november|december)$", RegexOptions.CultureInvariant)]
    private static partial Regex MonthName();

    // Two or more capitalised words, joined by spaces and the small words names hold ("Bank of America", "Herb & Spice").
    [GeneratedRegex(@"\b\p{Lu}[\p{L}\p{N}'’.-]*(?:\s+(?:(?:of|for|and|the|&|de|on|in|with|to)\s+)*\p{Lu}[\p{L}\p{N}'’.-]*)+", RegexOptions.CultureInvariant)]
    private static partial Regex Name();
}
