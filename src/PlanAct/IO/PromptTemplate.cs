using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace PlanAct.IO;

/// <summary>
/// A prompt text shipped as an embedded resource beside the class that uses it (<c>Folder/Name.md</c>), with
/// <c>{{name}}</c> slots filled at use. A slot left unfilled or a value given for no slot is a bug and throws.
/// </summary>
internal sealed partial class PromptTemplate
{
    private static readonly ConcurrentDictionary<string, PromptTemplate> Cache = new(StringComparer.Ordinal);

    private readonly string _text;

    private PromptTemplate(string text) => _text = text;

    [GeneratedRegex(@"\{\{([a-z_]+)\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Slot();

    /// <summary>The resource <paramref name="fileName"/> in the folder (namespace) of <paramref name="anchor"/>.</summary>
    public static PromptTemplate Load(Type anchor, string fileName) =>
        Cache.GetOrAdd($"{anchor.Namespace}.{fileName}", _ => new PromptTemplate(EmbeddedText.Read(anchor, fileName).Trim()));

    public string Fill(params (string Name, string Value)[] values)
    {
        var map = values.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var text = Slot().Replace(_text, m =>
        {
            var name = m.Groups[1].Value;
            if (!map.TryGetValue(name, out var value))
            {
                throw new InvalidOperationException($"the prompt slot {{{{{name}}}}} has no value");
            }

            used.Add(name);
            return value;
        });
        var unused = map.Keys.Where(k => !used.Contains(k)).ToList();
        return unused.Count == 0 ? text : throw new InvalidOperationException($"the prompt has no slot for {string.Join(", ", unused)}");
    }
}
