using System.Text;
using System.Text.RegularExpressions;

namespace PlanAct.Trajectories;

/// <summary>An earlier round as the prompt shows it: what the user turn held (the query or the placeholder) and the action taken.</summary>
internal sealed record SftRound(string User, string Action);

/// <summary>
/// The human turn of one WebArena-Lite SFT step (SPEC §1.3): the task, the earlier rounds with collapsed pages,
/// and the current round's full page. Reads the layout with and without Llama-3 header tokens.
/// </summary>
internal sealed partial record SftPrompt(string Query, IReadOnlyList<SftRound> History, string Html)
{
    public const string TaskInstructionLabel = "Task Instruction:";

    /// <summary>What earlier rounds show instead of their page.</summary>
    public const string HtmlPlaceholder = "** Simplified html **";

    private const string EotToken = "<|eot_id|>";
    private const string HeaderStart = "<|start_header_id|>";
    private const string HeaderEnd = "<|end_header_id|>";

    /// <summary>The step index: the number of the last <c>Round N</c>.</summary>
    public int Round => History.Count;

    [GeneratedRegex(@"^[ \t]*Round[ \t]+(\d+)[ \t]*\r?$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex RoundMarker();

    /// <exception cref="FormatException">The text is not an SFT prompt; the message says why.</exception>
    public static SftPrompt Parse(string prompt)
    {
        var start = prompt.AsSpan().TrimStart();
        if (!start.StartsWith(TaskInstructionLabel, StringComparison.Ordinal))
        {
            throw new FormatException($"the prompt does not start with '{TaskInstructionLabel}'");
        }

        var offset = prompt.Length - start.Length + TaskInstructionLabel.Length;
        var markers = RoundMarker().Matches(prompt, offset);
        if (markers.Count == 0)
        {
            throw new FormatException("the prompt has no 'Round N' block");
        }

        var query = prompt[offset..markers[0].Index].Trim();
        if (query.Length == 0)
        {
            throw new FormatException("the task instruction is empty");
        }

        var history = new List<SftRound>(markers.Count - 1);
        var html = "";
        for (var i = 0; i < markers.Count; i++)
        {
            var number = int.Parse(markers[i].Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture);
            if (number != i)
            {
                throw new FormatException(number < i
                    ? $"Round {number} appears twice (expected Round {i})"
                    : $"rounds are not consecutive: expected Round {i}, found Round {number}");
            }

            var blockStart = markers[i].Index + markers[i].Length;
            var blockEnd = i + 1 < markers.Count ? markers[i + 1].Index : prompt.Length;
            var block = prompt[blockStart..blockEnd];
            var last = i == markers.Count - 1;
            var (user, assistant) = SplitBlock(block, query, i, last);
            if (last)
            {
                html = user;
            }
            else
            {
                if (assistant.Length == 0)
                {
                    throw new FormatException($"Round {i} shows no action");
                }

                history.Add(new SftRound(user, assistant));
            }
        }

        return new SftPrompt(query, history, html);
    }

    /// <summary>Writes the prompt in WebRL's layout, with or without the Llama-3 header tokens.</summary>
    public string Format(bool headerTokens = true)
    {
        var sb = new StringBuilder().Append(TaskInstructionLabel).Append(' ').Append(Query).Append("\n\n");
        for (var i = 0; i < History.Count; i++)
        {
            AppendRound(sb, i, History[i].User, History[i].Action, headerTokens);
        }

        AppendRound(sb, History.Count, Html, null, headerTokens);
        return sb.ToString();
    }

    private static void AppendRound(StringBuilder sb, int round, string user, string? action, bool headerTokens)
    {
        sb.Append("Round ").Append(round).Append("\n\n");
        if (headerTokens)
        {
            sb.Append(EotToken).Append(HeaderStart).Append("user").Append(HeaderEnd).Append('\n').Append(user).Append("\n\n")
              .Append(EotToken).Append(HeaderStart).Append("assistant").Append(HeaderEnd).Append('\n');
            if (action is not null)
            {
                sb.Append(action).Append("\n\n");
            }
        }
        else
        {
            sb.Append(user).Append("\n\n");
            if (action is not null)
            {
                sb.Append(action).Append("\n\n");
            }
        }
    }

    private static (string User, string Assistant) SplitBlock(string block, string query, int round, bool last)
    {
        if (block.Contains(HeaderStart, StringComparison.Ordinal))
        {
            string? user = null;
            string? assistant = null;
            foreach (var part in block.Split(HeaderStart))
            {
                var end = part.IndexOf(HeaderEnd, StringComparison.Ordinal);
                if (end < 0)
                {
                    continue;
                }

                var role = part[..end].Trim();
                var body = part[(end + HeaderEnd.Length)..].Replace(EotToken, "", StringComparison.Ordinal).Trim();
                if (role == "user")
                {
                    user ??= body;
                }
                else if (role == "assistant")
                {
                    assistant ??= body;
                }
            }

            return (user ?? throw new FormatException($"Round {round} has no user turn"), assistant ?? "");
        }

        var text = block.Replace(EotToken, "", StringComparison.Ordinal).Trim();
        if (last)
        {
            return (text, "");
        }

        // Without header tokens an earlier round is "<user>\n\n<action>", where <user> is the placeholder or the query.
        foreach (var user in new[] { HtmlPlaceholder, query })
        {
            if (text.StartsWith(user, StringComparison.Ordinal))
            {
                return (user, text[user.Length..].Trim());
            }
        }

        throw new FormatException($"Round {round} shows neither the page placeholder '{HtmlPlaceholder}' nor the task before its action");
    }
}
