using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace PlanAct.IO;

/// <summary>
/// A prompt text shipped as an embedded resource beside the class that uses it (<c>Folder/Name.md</c>), with
/// <c>{{name}}</c> slots filled at use. A slot left unfilled or a value given for no slot is a bug and throws.
/// </summary>
internal sealed partial class PromptTemplate
{
    private static readonly ConcurrentDictionary<(Type, string), PromptTemplate> Cache = new();

    /// <summary>The text cut at its slots: literal text at even indices, a slot's name at odd ones.</summary>
    private readonly string[] _parts;

    private PromptTemplate(string text) => _parts = Slot().Split(text);

    [GeneratedRegex(@"\{\{([a-z_]+)\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Slot();

    /// <summary>The resource <paramref name="fileName"/> in the folder (namespace) of <paramref name="anchor"/>.</summary>
    public static PromptTemplate Load(Type anchor, string fileName) =>
        Cache.GetOrAdd((anchor, fileName), static key => new PromptTemplate(EmbeddedText.Read(key.Item1, key.Item2).Trim()));

    public string Fill(params (string Name, string Value)[] values)
    {
        // Prompts are filled for every request, pages in them: the result is built in one allocation.
        var filled = new string[_parts.Length];
        var used = new bool[values.Length];
        for (var i = 0; i < _parts.Length; i++)
        {
            filled[i] = i % 2 == 0 ? _parts[i] : ValueOf(_parts[i], values, used);
        }

        var unused = values.Where((_, i) => !used[i]).Select(v => v.Name).ToList();
        return unused.Count == 0 ? string.Concat(filled) : throw new InvalidOperationException($"the prompt has no slot for {string.Join(", ", unused)}");
    }

    private static string ValueOf(string slot, (string Name, string Value)[] values, bool[] used)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (string.Equals(values[i].Name, slot, StringComparison.Ordinal))
            {
                used[i] = true;
                return values[i].Value;
            }
        }

        throw new InvalidOperationException($"the prompt slot {{{{{slot}}}}} has no value");
    }
}
