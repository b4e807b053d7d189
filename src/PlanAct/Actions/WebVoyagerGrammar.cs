using System.Text;
using System.Text.RegularExpressions;
using PlanAct.IO;

namespace PlanAct.Actions;

/// <summary>
/// WebVoyager's action lines: <c>Click [5]</c>, <c>Type [2]; text</c>, <c>Scroll [WINDOW]; down</c>, <c>Wait</c>,
/// <c>GoBack</c>, <c>Google</c>, <c>ANSWER; text</c>. Names are read in any case and printed as listed here; a name
/// outside the set is kept (with its label and text) and reported.
/// </summary>
internal static partial class WebVoyagerGrammar
{
    public const string ElementArgument = "element";
    public const string TextArgument = "text";
    public const string DirectionArgument = "direction";

    /// <summary>The label <c>Scroll</c> takes for the whole page rather than one element.</summary>
    public const string Window = "WINDOW";

    private static readonly (string Name, ActionKind Kind)[] Names =
    [
        ("Click", ActionKind.Click),
        ("Type", ActionKind.Type),
        ("Scroll", ActionKind.Scroll),
        ("Wait", ActionKind.Wait),
        ("GoBack", ActionKind.GoBackward),
        ("Google", ActionKind.Google),
        ("ANSWER", ActionKind.Answer),
    ];

    /// <summary>The action names, in the order prompts list them.</summary>
    public static IEnumerable<string> Functions => Names.Select(n => n.Name);

    public static ActionKind KindOf(string function) => Names.FirstOrDefault(n => n.Name == function).Kind;

    public static WebAction Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            throw new ActionSyntaxException("empty action", 1, 1);
        }

        var match = Line().Match(trimmed);
        if (!match.Success)
        {
            throw new ActionSyntaxException("expected an action such as Click [5], Type [2]; text, Scroll [WINDOW]; down or ANSWER; text", 1, 1);
        }

        var word = match.Groups["name"].Value;
        var known = Names.FirstOrDefault(n => string.Equals(n.Name, word, StringComparison.OrdinalIgnoreCase));
        var name = known.Name ?? word;
        var arguments = new List<ActionArgument>();
        if (match.Groups["label"].Success)
        {
            arguments.Add(new(ElementArgument, match.Groups["label"].Value.Trim()));
        }

        if (match.Groups["rest"].Success)
        {
            var rest = match.Groups["rest"].Value.Trim();
            arguments.Add(known.Kind == ActionKind.Scroll ? new(DirectionArgument, rest.ToLowerInvariant()) : new(TextArgument, rest));
        }

        return new WebAction(EquatableList<ActionComment>.Empty, name, arguments.ToEquatableList()) { Grammar = ActionGrammar.WebVoyager };
    }

    /// <summary>An action of this grammar from its parts (as a reader builds it).</summary>
    public static WebAction Create(string name, string? label = null, string? text = null) =>
        Parse(Print(name, label, KindOf(name) == ActionKind.Scroll ? null : text, KindOf(name) == ActionKind.Scroll ? text : null));

    public static string Print(WebAction action) =>
        Print(action.Function, action.Get(ElementArgument), action.Get(TextArgument), action.Get(DirectionArgument));

    private static string Print(string name, string? label, string? text, string? direction)
    {
        var sb = new StringBuilder(name);
        if (label is not null)
        {
            sb.Append(" [").Append(label).Append(']');
        }

        if ((text ?? direction) is { } rest)
        {
            sb.Append("; ").Append(rest);
        }

        return sb.ToString();
    }

    public static IEnumerable<string> Problems(WebAction action)
    {
        var kind = KindOf(action.Function);
        var label = action.Get(ElementArgument);
        var problem = kind switch
        {
            ActionKind.Unknown => $"unknown action \"{action.Function}\"",
            ActionKind.Click or ActionKind.Type when label is null or "" => $"{action.Function} needs an element label",
            ActionKind.Click or ActionKind.Type when !label.All(char.IsAsciiDigit) => $"{action.Function} [{label}]: the label is not a number",
            ActionKind.Type or ActionKind.Answer when action.Get(TextArgument) is null => $"{action.Function} needs a text after ';'",
            ActionKind.Scroll when action.Get(DirectionArgument) is not ("up" or "down") => "Scroll needs '; up' or '; down'",
            _ => null,
        };
        if (problem is not null)
        {
            yield return problem;
        }
    }

    [GeneratedRegex(@"^(?<name>[A-Za-z_]+)\s*(?:\[(?<label>[^\]]*)\])?\s*(?:;(?<rest>.*))?$", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex Line();
}
