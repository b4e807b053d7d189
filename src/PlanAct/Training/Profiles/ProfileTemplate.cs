using System.Text.RegularExpressions;
using PlanAct.IO;

namespace PlanAct.Training.Profiles;

/// <summary>
/// A template of a prompt profile: text with <c>{{name}}</c> slots, checked at load against the slots its place
/// offers. Unlike a stage prompt it need not use every value it is given: a profile chooses what its turns show.
/// </summary>
internal sealed partial class ProfileTemplate
{
    private readonly string _text;

    private ProfileTemplate(string text, IReadOnlySet<string> slots)
    {
        _text = text;
        Slots = slots;
    }

    public IReadOnlySet<string> Slots { get; }

    [GeneratedRegex(@"\{\{\s*([A-Za-z0-9_\-]*)\s*\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Slot();

    /// <summary>
    /// Reads a template, trimmed of leading and trailing white space. A slot not among <paramref name="allowed"/>
    /// is an error at its line of <paramref name="source"/> (whose text starts at line <paramref name="firstLine"/>).
    /// </summary>
    public static ProfileTemplate Parse(string text, string source, int firstLine, IReadOnlyCollection<string> allowed)
    {
        text = text.ReplaceLineEndings("\n");
        var slots = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match match in Slot().Matches(text))
        {
            var name = match.Groups[1].Value;
            if (!allowed.Contains(name))
            {
                var line = firstLine + text.AsSpan(0, match.Index).Count('\n');
                var offered = allowed.Count == 0 ? "none here" : string.Join(", ", allowed.Select(a => $"{{{{{a}}}}}"));
                throw new InputException(new SourceLocation(source, line), $"unknown placeholder {match.Value} (placeholders here: {offered})");
            }

            slots.Add(name);
        }

        return new ProfileTemplate(text.Trim(), slots);
    }

    /// <summary>The text with every slot filled; values for slots the template does not use are ignored.</summary>
    public string Fill(IReadOnlyDictionary<string, string> values) => Slot().Replace(_text, m => values[m.Groups[1].Value]);

    public string Fill(params (string Name, string Value)[] values) => Fill(values.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal));
}
