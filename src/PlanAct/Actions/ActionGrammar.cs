namespace PlanAct.Actions;

/// <summary>The language an agent's actions are written in; a trajectory keeps its own, and so do its executor targets.</summary>
internal enum ActionGrammar
{
    /// <summary>WebArena-Lite / WebRL: <c>do(action="Click", element="15")</c>, <c>exit(message="...")</c>.</summary>
    WebRl,

    /// <summary>BrowserGym's high-level actions: <c>click('15')</c>, <c>fill('12', 'text')</c>, <c>send_msg_to_user('...')</c>.</summary>
    BrowserGym,

    /// <summary>WebVoyager: <c>Click [5]</c>, <c>Type [2]; text</c>, <c>Scroll [WINDOW]; down</c>, <c>ANSWER; text</c>.</summary>
    WebVoyager,
}

/// <summary>The names grammars have in files and on the command line.</summary>
internal static class ActionGrammars
{
    public static IReadOnlyList<ActionGrammar> All { get; } = [ActionGrammar.WebRl, ActionGrammar.BrowserGym, ActionGrammar.WebVoyager];

    public static string Name(this ActionGrammar grammar) => grammar switch
    {
        ActionGrammar.BrowserGym => "browsergym",
        ActionGrammar.WebVoyager => "webvoyager",
        _ => "webrl",
    };

    public static bool TryParseName(string? name, out ActionGrammar grammar)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.Name(), name?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                grammar = candidate;
                return true;
            }
        }

        grammar = ActionGrammar.WebRl;
        return false;
    }

    public static string Names => string.Join(", ", All.Select(g => g.Name()));
}
