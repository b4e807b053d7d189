using System.Globalization;
using System.Text;
using PlanAct.IO;

namespace PlanAct.Actions;

/// <summary>
/// BrowserGym's high-level action set, as Python calls: <c>click('12')</c>, <c>fill('12', 'Central Park')</c>,
/// <c>scroll(0, 500)</c>, <c>send_msg_to_user('...')</c>. Canonical form: required arguments positional, optional ones by
/// keyword, strings in single quotes. ADP's <c>type(bid, text, press_enter_after)</c> is part of the set.
/// </summary>
internal static class BrowserGymGrammar
{
    public const string BidArgument = "bid";

    private enum Literal
    {
        Text,
        Number,
        Any,
    }

    private sealed record Parameter(string Name, bool Required, Literal Literal = Literal.Text);

    private sealed record Signature(ActionKind Kind, Parameter[] Parameters);

    private static readonly Parameter Bid = new(BidArgument, true);

    private static readonly Dictionary<string, Signature> Signatures = new(StringComparer.Ordinal)
    {
        ["click"] = new(ActionKind.Click, [Bid, new("button", false), new("modifiers", false, Literal.Any)]),
        ["dblclick"] = new(ActionKind.DoubleClick, [Bid, new("button", false), new("modifiers", false, Literal.Any)]),
        ["hover"] = new(ActionKind.Hover, [Bid]),
        ["fill"] = new(ActionKind.Fill, [Bid, new("value", true)]),
        ["type"] = new(ActionKind.Type, [Bid, new("text", true), new("press_enter_after", false, Literal.Any)]),
        ["select_option"] = new(ActionKind.SelectDropdownOption, [Bid, new("options", true, Literal.Any)]),
        ["press"] = new(ActionKind.Press, [Bid, new("key_comb", true)]),
        ["focus"] = new(ActionKind.Focus, [Bid]),
        ["clear"] = new(ActionKind.Clear, [Bid]),
        ["scroll"] = new(ActionKind.Scroll, [new("delta_x", true, Literal.Number), new("delta_y", true, Literal.Number)]),
        ["goto"] = new(ActionKind.Goto, [new("url", true)]),
        ["go_back"] = new(ActionKind.GoBackward, []),
        ["go_forward"] = new(ActionKind.GoForward, []),
        ["tab_focus"] = new(ActionKind.SwitchTab, [new("index", true, Literal.Number)]),
        ["new_tab"] = new(ActionKind.NewTab, []),
        ["close_tab"] = new(ActionKind.CloseTab, []),
        ["send_msg_to_user"] = new(ActionKind.SendMessage, [new("text", true)]),
        ["report_infeasible"] = new(ActionKind.ReportInfeasible, [new("reason", true)]),
        ["stop"] = new(ActionKind.Stop, [new("answer", false)]),
        ["noop"] = new(ActionKind.Noop, [new("wait_ms", false, Literal.Number)]),
    };

    /// <summary>The functions of the set, in the order prompts list them.</summary>
    public static IEnumerable<string> Functions => Signatures.Keys;

    public static ActionKind KindOf(string function) => Signatures.TryGetValue(function, out var signature) ? signature.Kind : ActionKind.Unknown;

    public static WebAction Parse(string text)
    {
        var (comments, function, arguments, scanner) = ActionParser.ReadCommentsAndCall(text);
        return new WebAction(comments.ToEquatableList(), function, Canonicalize(function, arguments, scanner).ToEquatableList())
        {
            Grammar = ActionGrammar.BrowserGym,
        };
    }

    /// <summary>An action of this grammar from a call's name and its arguments by name (ADP's <c>kwargs</c>), in canonical form.</summary>
    /// <exception cref="ActionSyntaxException">An argument is given twice or a positional one is out of place.</exception>
    public static WebAction Create(string function, IEnumerable<ActionArgument> arguments) =>
        new(EquatableList<ActionComment>.Empty, function, Canonicalize(function, [.. arguments], null).ToEquatableList())
        {
            Grammar = ActionGrammar.BrowserGym,
        };

    /// <summary>Names positional arguments of known functions, orders them as the signature does and settles quoting.</summary>
    private static List<ActionArgument> Canonicalize(string function, List<ActionArgument> arguments, ActionParser.Scanner? scanner)
    {
        if (!Signatures.TryGetValue(function, out var signature))
        {
            return arguments;
        }

        var named = new List<ActionArgument>(arguments.Count);
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (argument.Name is null)
            {
                if (i >= signature.Parameters.Length)
                {
                    throw Error(scanner, $"{function}() takes at most {signature.Parameters.Length} positional arguments");
                }

                argument = argument with { Name = signature.Parameters[i].Name };
            }

            if (named.Any(a => a.Name == argument.Name))
            {
                throw Error(scanner, $"argument \"{argument.Name}\" given twice");
            }

            named.Add(argument);
        }

        var ordered = new List<ActionArgument>(named.Count);
        foreach (var parameter in signature.Parameters)
        {
            if (named.FirstOrDefault(a => a.Name == parameter.Name) is { Value: not null } given)
            {
                ordered.Add(given with { Bare = IsBare(parameter.Literal, given) });
            }
        }

        ordered.AddRange(named.Where(a => !signature.Parameters.Any(p => p.Name == a.Name)));
        return ordered;
    }

    /// <summary>Text parameters are always quoted (<c>click(12)</c> is <c>click('12')</c>); numbers never are.</summary>
    private static bool IsBare(Literal literal, ActionArgument argument) => literal switch
    {
        Literal.Text => false,
        Literal.Number => double.TryParse(argument.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
        _ => argument.Bare,
    };

    private static ActionSyntaxException Error(ActionParser.Scanner? scanner, string reason) =>
        scanner?.Error(reason) ?? new ActionSyntaxException(reason, 1, 1);

    public static string PrintCall(WebAction action)
    {
        var sb = new StringBuilder(action.Function).Append('(');
        Signatures.TryGetValue(action.Function, out var signature);
        for (var i = 0; i < action.Arguments.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            var argument = action.Arguments[i];
            var positional = argument.Name is null
                || (signature?.Parameters.FirstOrDefault(p => p.Name == argument.Name) is { Required: true } parameter
                    && Array.IndexOf(signature.Parameters, parameter) == i);
            if (!positional)
            {
                sb.Append(argument.Name).Append('=');
            }

            if (argument.Bare)
            {
                sb.Append(argument.Value);
            }
            else
            {
                ActionPrinter.AppendLiteral(sb, argument.Value, '\'');
            }
        }

        return sb.Append(')').ToString();
    }

    public static string? ArgumentOf(WebAction action) => action.Kind switch
    {
        ActionKind.Fill => action.Get("value"),
        ActionKind.Type => action.Get("text"),
        ActionKind.SelectDropdownOption => action.Get("options"),
        ActionKind.Press => action.Get("key_comb"),
        ActionKind.Goto => action.Get("url"),
        _ => null,
    };

    public static string? MessageOf(WebAction action) => action.Kind switch
    {
        ActionKind.SendMessage => action.Get("text"),
        ActionKind.ReportInfeasible => action.Get("reason"),
        ActionKind.Stop => action.Get("answer"),
        _ => null,
    };

    public static IEnumerable<string> Problems(WebAction action)
    {
        if (!Signatures.TryGetValue(action.Function, out var signature))
        {
            yield return $"unknown function \"{action.Function}\"";
            yield break;
        }

        foreach (var parameter in signature.Parameters.Where(p => p.Required && action.Get(p.Name) is null))
        {
            yield return $"{action.Function}() needs \"{parameter.Name}\"";
        }

        foreach (var extra in action.Arguments.Where(a => !signature.Parameters.Any(p => p.Name == a.Name)))
        {
            yield return $"{action.Function}() has no argument \"{extra.Name}\"";
        }
    }

    /// <summary>How prompts describe the set: one line per function.</summary>
    public static string Describe() => string.Join('\n', Signatures.Select(s =>
        $"{s.Key}({string.Join(", ", s.Value.Parameters.Select(p => p.Required ? p.Name : p.Name + "=…"))})"));
}
