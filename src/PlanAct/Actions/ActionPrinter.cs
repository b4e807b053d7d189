using System.Globalization;
using System.Text;

namespace PlanAct.Actions;

/// <summary>Prints an action in canonical form: one comment per line, then the call with double-quoted literals.</summary>
internal static class ActionPrinter
{
    public static string Print(WebAction action)
    {
        if (action.Grammar == ActionGrammar.WebVoyager)
        {
            return WebVoyagerGrammar.Print(action);
        }

        var sb = new StringBuilder();
        foreach (var comment in action.Comments)
        {
            sb.Append(comment.Kind switch
            {
                CommentKind.Element => "# Element: " + comment.Text,
                CommentKind.Note => "# Note: " + comment.Text,
                _ => "#" + comment.Text,
            }).Append('\n');
        }

        return sb.Append(PrintCall(action)).ToString();
    }

    /// <summary>
    /// Actions as a teacher or a model reads them in a prompt: the number, the call, then its comments indented below,
    /// numbered from <paramref name="first"/> (the absolute index of the first action listed).
    /// </summary>
    /// <param name="actions">The actions in order.</param>
    /// <param name="first">The number of the first action.</param>
    /// <param name="descriptions">What each action did (CoT annotation), shown after it on a line starting with <c>&gt;</c>.</param>
    public static string PrintNumbered(IEnumerable<WebAction> actions, int first = 0, IReadOnlyList<string>? descriptions = null)
    {
        var text = new StringBuilder();
        var i = first;
        foreach (var action in actions)
        {
            text.Append(i++).Append(": ").Append(PrintCall(action)).Append('\n');
            foreach (var comment in action.Comments)
            {
                text.Append("   # ").Append(comment.Text.ReplaceLineEndings(" ")).Append('\n');
            }

            if (descriptions is not null)
            {
                text.Append("   > ").Append(descriptions[i - first - 1]).Append('\n');
            }
        }

        return text.ToString().TrimEnd();
    }

    /// <summary>The call alone, without comments: <c>do(action="Click", element="15")</c>.</summary>
    public static string PrintCall(WebAction action)
    {
        switch (action.Grammar)
        {
            case ActionGrammar.BrowserGym:
                return BrowserGymGrammar.PrintCall(action);
            case ActionGrammar.WebVoyager:
                return WebVoyagerGrammar.Print(action);
        }

        var sb = new StringBuilder(action.Function).Append('(');
        for (var i = 0; i < action.Arguments.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            var argument = action.Arguments[i];
            if (argument.Name is not null)
            {
                sb.Append(argument.Name).Append('=');
            }

            AppendLiteral(sb, argument.Value);
        }

        return sb.Append(')').ToString();
    }

    /// <summary>A Python string literal in <paramref name="quote"/> quotes; non-ASCII text stays as it is, control characters are escaped.</summary>
    public static void AppendLiteral(StringBuilder sb, string? value, char quote = '"')
    {
        if (value is null)
        {
            sb.Append("None");
            return;
        }

        sb.Append(quote);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '\\': sb.Append(@"\\"); break;
                case '"' or '\'' when c == quote: sb.Append('\\').Append(c); break;
                case '\n': sb.Append(@"\n"); break;
                case '\r': sb.Append(@"\r"); break;
                case '\t': sb.Append(@"\t"); break;
                case < ' ' or '\x7f':
                    sb.Append(@"\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    break;
                default:
                    if (char.IsSurrogate(c) && !(char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])))
                    {
                        sb.Append(@"\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else if (char.IsHighSurrogate(c))
                    {
                        sb.Append(c).Append(value[++i]);
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append(quote);
    }
}
