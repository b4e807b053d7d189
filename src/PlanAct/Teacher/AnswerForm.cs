using System.Text.RegularExpressions;

namespace PlanAct.Teacher;

/// <summary>One piece of dressing taken off an answer: its kind (what stage statistics count) and how the answer wrote it.</summary>
internal sealed record Dressing(string Kind, string Written)
{
    public const string LineEnds = "crlf";
    public const string Think = "think_block";
    public const string Fence = "code_fence";
    public const string Rule = "horizontal_rule";
    public const string Preface = "preface";
    public const string Postscript = "postscript";
    public const string Heading = "heading";
    public const string FieldName = "field_name";
    public const string IndexList = "index_list";
    public const string Label = "label";

    /// <summary>How a re-ask names it, so the teacher sees what was read.</summary>
    public override string ToString() => Kind switch
    {
        LineEnds => "Windows line ends",
        Think => "a <think> block",
        Fence => $"code fence lines ({Written})",
        Rule => $"horizontal rules ({Written})",
        Preface => $"a preface (\"{Written}\")",
        Postscript => $"a postscript (\"{Written}\")",
        Heading => $"headings written as \"{Written}\"",
        FieldName => $"field names written as \"{Written}\"",
        IndexList => $"action lists written as \"{Written}\"",
        Label => $"the label \"{Written}\"",
        _ => Written,
    };
}

/// <summary>An answer as its parser reads it: the text with its dressing taken off, and what was taken off.</summary>
internal sealed record ReadAnswer(string Text, IReadOnlyList<Dressing> Removed);

/// <summary>
/// The structure of one teacher answer format (its headings, sections and fields) and the tolerant reading in front of
/// its parser: what lies around or on that structure the way chat models dress answers (Windows line ends, a
/// <c>&lt;think&gt;</c> block, code fences and rules, a preface before the structure and a postscript after its last
/// value, heading levels, bold, italic and trailing colons or periods on headings and field names, bracket-less and
/// range index lists) is taken off and named; the structure itself is never guessed, so whatever still does not parse
/// is rejected by the format's own parser with its own message.
/// </summary>
internal sealed partial class AnswerForm
{
    private readonly Regex? _numberedHeading;
    private readonly Regex? _section;
    private readonly Regex? _inlineSection;
    private readonly Regex? _field;
    private readonly Regex? _label;

    /// <param name="name">What the format is, for messages ("a grounded plan").</param>
    /// <param name="example">A minimal answer of the right form, shown with every re-ask.</param>
    /// <param name="numberedHeadings">Headings followed by a number (<c>Step</c> → <c>## Step 1</c>).</param>
    /// <param name="sections">Headings without a number that open a section (<c>Reasoning</c> → <c>## Reasoning</c>).</param>
    /// <param name="fields">Names of <c>Name: value</c> lines.</param>
    /// <param name="indexLists">Fields whose value is a list of action indices, written canonically as <c>[3, 4, 5]</c>.</param>
    /// <param name="closing">Fields or sections holding one value: a paragraph after the value of the last of them is a postscript.</param>
    /// <param name="label">For a format without structure (a few sentences): a heading or field name that only names the answer.</param>
    public AnswerForm(
        string name,
        string example,
        IReadOnlyList<string>? numberedHeadings = null,
        IReadOnlyList<string>? sections = null,
        IReadOnlyList<string>? fields = null,
        IReadOnlyList<string>? indexLists = null,
        IReadOnlyList<string>? closing = null,
        string? label = null)
    {
        Name = name;
        Example = example;
        NumberedHeadings = numberedHeadings ?? [];
        Sections = sections ?? [];
        Fields = fields ?? [];
        IndexLists = indexLists ?? [];
        Closing = closing ?? [];
        Label = label;
        _numberedHeading = Build(NumberedHeadings, @"^[ \t]*(?:#{1,6}[ \t]*)?(?:[*_]{1,3}[ \t]*)?(?:#{1,6}[ \t]*)?(?<name>NAMES)[ \t]+(?<number>\d+)" + HeadingEnd);
        _section = Build(Sections, @"^[ \t]*(?:#{1,6}[ \t]*)?(?:[*_]{1,3}[ \t]*)?(?:#{1,6}[ \t]*)?(?<name>NAMES)" + HeadingEnd);
        _inlineSection = Build(Sections, FieldStart + @"(?<value>\S.*?)[ \t]*$");
        _field = Build(Fields, FieldStart + @"(?<value>.*?)[ \t]*$");
        _label = label is null ? null : Build([label], @"^[ \t]*(?:#{1,6}[ \t]*)?(?:[*_]{1,3}[ \t]*)?(?<name>NAMES)[ \t]*(?:[*_]{1,3})?[ \t]*:?[ \t]*(?:[*_]{1,3})?[ \t]*(?<value>.*?)[ \t]*$");
    }

    // A heading ends after optional ':' or '.', closing bold or italic markers, and nothing else.
    private const string HeadingEnd = @"[ \t]*[:.]?[ \t]*(?:[*_]{1,3})?[ \t]*[:.]?[ \t]*$";

    // "Name:", "- Name:", "**Name:**", "**Name**:", "*Name:*", "__Name__:", then the value.
    private const string FieldStart = @"^[ \t]*(?:[-+*][ \t]+)?(?:[*_]{1,3})?[ \t]*(?<name>NAMES)[ \t]*(?:[*_]{1,3})?[ \t]*:[ \t]*(?:[*_]{1,3}(?=[ \t]|$))?[ \t]*";

    public string Name { get; }

    public string Example { get; }

    public IReadOnlyList<string> NumberedHeadings { get; }

    public IReadOnlyList<string> Sections { get; }

    public IReadOnlyList<string> Fields { get; }

    public IReadOnlyList<string> IndexLists { get; }

    public IReadOnlyList<string> Closing { get; }

    public string? Label { get; }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"[ \t]+")]
    private static partial Regex Blanks();

    [GeneratedRegex(@"^[ \t]*(?:```|~~~)[ \t]*[\w+.-]*[ \t]*$", RegexOptions.CultureInvariant)]
    private static partial Regex FenceLine();

    [GeneratedRegex(@"^[ \t]*(?:-{3,}|\*{3,}|_{3,})[ \t]*$", RegexOptions.CultureInvariant)]
    private static partial Regex RuleLine();

    // "3", "3-5", "3 – 5", "3..5", "3 to 5", "3 through 5": one index or an ascending run.
    [GeneratedRegex(@"^(?<from>\d+)(?:[ \t]*(?:-|–|—|\.\.|to|through)[ \t]*(?<to>\d+))?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex IndexRun();

    /// <summary>Reads <paramref name="answer"/> with its dressing taken off; nothing inside the structure is changed but its spelling.</summary>
    public ReadAnswer Read(string answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var removed = new List<Dressing>();
        void Note(string kind, string written)
        {
            if (!removed.Any(d => d.Kind == kind))
            {
                removed.Add(new Dressing(kind, Shorten(written.Trim())));
            }
        }

        var text = answer;
        if (text.Contains('\r', StringComparison.Ordinal))
        {
            text = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
            Note(Dressing.LineEnds, "\\r\\n");
        }

        var (withoutThink, think) = ReasoningSplitter.Split(text);
        if (think is not null)
        {
            text = withoutThink;
            Note(Dressing.Think, "<think>");
        }

        var lines = new List<string>();
        foreach (var line in text.Split('\n'))
        {
            if (FenceLine().IsMatch(line))
            {
                Note(Dressing.Fence, line);
            }
            else if (RuleLine().IsMatch(line))
            {
                Note(Dressing.Rule, line);
            }
            else
            {
                lines.Add(line);
            }
        }

        if (_label is not null)
        {
            Unlabel(lines, Note);
            return new ReadAnswer(string.Join('\n', lines).Trim(), removed);
        }

        var names = Canonicalize(lines, Note);
        var first = Array.FindIndex(names, n => n is not null);
        if (first > 0 && lines.Take(first).FirstOrDefault(l => !string.IsNullOrWhiteSpace(l)) is { } preface)
        {
            Note(Dressing.Preface, preface);
            lines.RemoveRange(0, first);
            names = names[first..];
        }

        if (Postscript(lines, names) is { } start)
        {
            Note(Dressing.Postscript, lines.Skip(start).First(l => !string.IsNullOrWhiteSpace(l)));
            lines.RemoveRange(start, lines.Count - start);
        }

        return new ReadAnswer(string.Join('\n', lines).Trim(), removed);
    }

    /// <summary>
    /// Reads the answer and parses what is left; the result carries what was taken off (for the statistics and the
    /// re-ask) and this form (whose example the re-ask shows).
    /// </summary>
    public Checked<T> Check<T>(string answer, Func<string, Checked<T>> parse)
    {
        var read = Read(answer);
        return parse(read.Text) with { Removed = read.Removed, Form = this };
    }

    /// <summary>Rewrites headings, sections and field lines in their canonical spelling; returns each line's structural name (or null).</summary>
    private string?[] Canonicalize(List<string> lines, Action<string, string> note)
    {
        var names = new string?[lines.Count];
        var headed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < lines.Count; i++)
        {
            if (_section?.Match(lines[i]) is { Success: true } section)
            {
                headed.Add(section.Groups["name"].Value);
            }
        }

        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            string canonical;
            string kind;
            string name;
            var written = line.Length;
            string? spelled = null;
            if (_numberedHeading?.Match(line) is { Success: true } numbered)
            {
                name = Canonical(NumberedHeadings, numbered.Groups["name"].Value);
                canonical = $"## {name} {int.Parse(numbered.Groups["number"].ValueSpan, System.Globalization.CultureInfo.InvariantCulture)}";
                kind = Dressing.Heading;
            }
            else if (_section?.Match(line) is { Success: true } section)
            {
                name = Canonical(Sections, section.Groups["name"].Value);
                canonical = "## " + name;
                kind = Dressing.Heading;
            }
            else if (_inlineSection?.Match(line) is { Success: true } inline && !headed.Contains(inline.Groups["name"].Value))
            {
                // "Reasoning: …" where the format has a '## Reasoning' section: the heading, then its text.
                name = Canonical(Sections, inline.Groups["name"].Value);
                canonical = $"## {name}\n{inline.Groups["value"].Value}";
                kind = Dressing.Heading;
            }
            else if (_field?.Match(line) is { Success: true } field)
            {
                name = Canonical(Fields, field.Groups["name"].Value);
                var value = field.Groups["value"].Value;
                if (IndexLists.Contains(name, StringComparer.OrdinalIgnoreCase) && IndexListText(value) is { } list && list != value)
                {
                    note(Dressing.IndexList, value);
                    value = list;
                }

                canonical = value.Length == 0 ? name + ":" : $"{name}: {value}";
                written = field.Groups["value"].Index;
                spelled = $"{name}: {field.Groups["value"].Value}";
                kind = Dressing.FieldName;
            }
            else
            {
                continue;
            }

            // A field whose list was rewritten is noted for the list alone, unless its name was dressed too.
            if (!Whitespace().Replace(line, " ").Trim().Equals((spelled ?? canonical).Replace('\n', ' ').Trim(), StringComparison.OrdinalIgnoreCase))
            {
                note(kind, kind == Dressing.FieldName ? line[..written].Trim() : line);
            }

            lines[i] = canonical;
            names[i] = name;
        }

        // An inline section became two lines: split them so that every line is one line again.
        for (var i = lines.Count - 1; i >= 0; i--)
        {
            if (lines[i].Split('\n') is [var heading, var body])
            {
                lines[i] = heading;
                lines.Insert(i + 1, body);
                names = [.. names[..(i + 1)], null, .. names[(i + 1)..]];
            }
        }

        return names;
    }

    /// <summary>
    /// Where a postscript starts: the first blank line after the value of the answer's last structural line, when that
    /// line is a closing field or section and text follows; null when there is none.
    /// </summary>
    private int? Postscript(List<string> lines, string?[] names)
    {
        var last = Array.FindLastIndex(names, n => n is not null);
        if (last < 0 || !Closing.Contains(names[last], StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }

        var inlineValue = !lines[last].StartsWith('#') && lines[last].Trim().Length > names[last]!.Length + 1;
        var value = inlineValue ? last : lines.FindIndex(last + 1, l => !string.IsNullOrWhiteSpace(l));
        if (value < 0)
        {
            return null;
        }

        var blank = lines.FindIndex(value, l => string.IsNullOrWhiteSpace(l));
        return blank >= 0 && lines.Skip(blank).Any(l => !string.IsNullOrWhiteSpace(l)) ? blank : null;
    }

    /// <summary>For a format without structure: a first line that only names the answer is taken off (its value, if any, stays).</summary>
    private void Unlabel(List<string> lines, Action<string, string> note)
    {
        var first = lines.FindIndex(l => !string.IsNullOrWhiteSpace(l));
        if (first >= 0 && _label!.Match(lines[first]) is { Success: true } label
            && (label.Groups["value"].Length == 0 || lines[first].Contains(':', StringComparison.Ordinal)))
        {
            note(Dressing.Label, lines[first]);
            lines[first] = label.Groups["value"].Value;
        }
    }

    /// <summary>
    /// An index list written with or without brackets, with ranges and a trailing period, as <c>[3, 4, 5]</c>; null
    /// when any part is not an index or an ascending run (the parser then rejects it as written).
    /// </summary>
    public static string? IndexListText(string value)
    {
        var text = value.Trim().Trim('*', '`', '_').Trim().TrimEnd('.').Trim();
        if (text.Length >= 2 && ((text[0] == '[' && text[^1] == ']') || (text[0] == '(' && text[^1] == ')')))
        {
            text = text[1..^1].Trim();
        }

        if (text.Length == 0)
        {
            return "[]";
        }

        var indices = new List<string>();
        foreach (var part in text.Split(','))
        {
            if (IndexRun().Match(part.Trim()) is not { Success: true } run)
            {
                return null;
            }

            var from = int.Parse(run.Groups["from"].ValueSpan, System.Globalization.CultureInfo.InvariantCulture);
            var to = run.Groups["to"].Success ? int.Parse(run.Groups["to"].ValueSpan, System.Globalization.CultureInfo.InvariantCulture) : from;
            if (to < from)
            {
                return null;
            }

            indices.AddRange(Enumerable.Range(from, to - from + 1).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        return $"[{string.Join(", ", indices)}]";
    }

    private static string Canonical(IReadOnlyList<string> names, string written)
    {
        var spaced = Blanks().Replace(written, " ");
        return names.First(n => n.Equals(spaced, StringComparison.OrdinalIgnoreCase));
    }

    private static Regex? Build(IReadOnlyList<string> names, string pattern) => names.Count == 0
        ? null
        : new Regex(
            pattern.Replace("NAMES", string.Join('|', names.Select(n => Regex.Escape(n).Replace(@"\ ", @"[ \t]+", StringComparison.Ordinal))), StringComparison.Ordinal),
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
