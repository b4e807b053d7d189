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

    /// <summary>
    /// The grammar an action text is written in, for texts stored without theirs (an example's step context):
    /// WebVoyager for a bare action line (<c>Click [5]</c>), BrowserGym for a call of its set, WebRL otherwise.
    /// </summary>
    public static ActionGrammar Detect(string text)
    {
        if (ActionParser.TryParse(text, ActionGrammar.WebVoyager, out var line, out _) && line!.Kind != ActionKind.Unknown)
        {
            return ActionGrammar.WebVoyager;
        }

        return ActionParser.TryParse(text, ActionGrammar.BrowserGym, out var call, out _) && call!.Kind != ActionKind.Unknown
            ? ActionGrammar.BrowserGym
            : ActionGrammar.WebRl;
    }
}

/// <summary>How prompts describe a grammar to a model (text resources beside this file, <c>actions.&lt;grammar&gt;.md</c>).</summary>
internal static class ActionGrammarText
{
    private static readonly Dictionary<ActionGrammar, (string PageForm, string Actions, string TeacherNote)> Texts = ActionGrammars.All.ToDictionary(g => g, Load);

    /// <summary>How the pages of trajectories in this grammar look, as the end of "the current page …".</summary>
    public static string PageForm(this ActionGrammar grammar) => Texts[grammar].PageForm;

    /// <summary>The actions an agent of this grammar may answer with, and how to write them.</summary>
    public static string Actions(this ActionGrammar grammar) => Texts[grammar].Actions;

    /// <summary>
    /// For teacher prompts that list a trajectory's actions: what the grammar's calls mean, as a paragraph ending in a
    /// blank line; empty for WebRL, which the prompts were written for.
    /// </summary>
    public static string TeacherNote(this ActionGrammar grammar) => Texts[grammar].TeacherNote is { Length: > 0 } note ? note + "\n\n" : "";

    /// <summary>Reads <c>actions.&lt;grammar&gt;.md</c>: the page form, the executor's action list and the teacher's note, parted by <c>---</c> lines.</summary>
    private static (string, string, string) Load(ActionGrammar grammar)
    {
        var parts = IO.EmbeddedText.Read(typeof(ActionGrammarText), $"actions.{grammar.Name()}.md").ReplaceLineEndings("\n").Split("\n---\n");
        return (parts[0].Trim(), parts[1].Trim(), parts[2].Trim());
    }
}
