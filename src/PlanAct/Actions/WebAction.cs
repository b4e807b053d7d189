using PlanAct.IO;

namespace PlanAct.Actions;

/// <summary>What an action does, over the grammars PlanAct reads (WebRL, BrowserGym, WebVoyager).</summary>
internal enum ActionKind
{
    Unknown,
    Click,
    RightClick,
    Hover,
    Type,
    Search,
    SelectDropdownOption,
    PressEnter,
    ScrollUp,
    ScrollDown,
    Wait,
    SwitchTab,
    GoBackward,
    GoForward,
    Exit,
    DoubleClick,
    Fill,
    Press,
    Focus,
    Clear,
    Scroll,
    Goto,
    NewTab,
    CloseTab,
    SendMessage,
    ReportInfeasible,
    Stop,
    Noop,
    Google,
    Answer,
}

internal enum CommentKind
{
    /// <summary><c># Element: which element</c></summary>
    Element,

    /// <summary><c># Note: a fact to remember</c></summary>
    Note,

    /// <summary>Any other <c>#</c> line; its text is kept exactly as written after the <c>#</c>.</summary>
    Other,
}

internal sealed record ActionComment(CommentKind Kind, string Text);

/// <summary>One argument of a call; <see cref="Name"/> is null for a positional one, <see cref="Value"/> null for <c>None</c>.</summary>
internal sealed record ActionArgument(string? Name, string? Value)
{
    /// <summary>Written without quotes (a number, <c>True</c>, a list): BrowserGym keeps the difference, WebRL quotes every value.</summary>
    public bool Bare { get; init; }
}

/// <summary>
/// One agent action in its <see cref="Grammar"/>: comment lines, then one call such as <c>do(action="Click", element="15")</c>
/// (WebRL), <c>click('15')</c> (BrowserGym) or <c>Click [15]</c> (WebVoyager). Unknown functions and action names are kept.
/// </summary>
internal sealed record WebAction(EquatableList<ActionComment> Comments, string Function, EquatableList<ActionArgument> Arguments)
{
    public const string DoFunction = "do";
    public const string ExitFunction = "exit";
    public const string GoBackwardFunction = "go_backward";
    public const string GoForwardFunction = "go_forward";

    private static readonly Dictionary<string, ActionKind> DoActionNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Click"] = ActionKind.Click,
        ["Right Click"] = ActionKind.RightClick,
        ["Hover"] = ActionKind.Hover,
        ["Type"] = ActionKind.Type,
        ["Search"] = ActionKind.Search,
        ["Select Dropdown Option"] = ActionKind.SelectDropdownOption,
        ["Press Enter"] = ActionKind.PressEnter,
        ["Scroll Up"] = ActionKind.ScrollUp,
        ["Scroll Down"] = ActionKind.ScrollDown,
        ["Wait"] = ActionKind.Wait,
        ["Switch Tab"] = ActionKind.SwitchTab,
        ["Go Backward"] = ActionKind.GoBackward,
        ["Go Forward"] = ActionKind.GoForward,
    };

    /// <summary>The grammar the action is written in; it is printed and compared in that grammar.</summary>
    public ActionGrammar Grammar { get; init; }

    private bool IsWebRl => Grammar == ActionGrammar.WebRl;

    /// <summary>The <c>action=</c> of a WebRL <c>do(...)</c> call.</summary>
    public string? Name => IsWebRl && Function == DoFunction ? Get("action") : null;

    /// <summary>The text an action types, the option it selects, the key it presses or the address it opens.</summary>
    public string? Argument => Grammar switch
    {
        ActionGrammar.BrowserGym => BrowserGymGrammar.ArgumentOf(this),
        ActionGrammar.WebVoyager => Kind == ActionKind.Type ? Get(WebVoyagerGrammar.TextArgument) : null,
        _ => Function == DoFunction ? Get("argument") : null,
    };

    /// <summary>The element the action acts on: the WebRL <c>element=</c> id, the BrowserGym bid, the WebVoyager label.</summary>
    public string? Element => Grammar switch
    {
        ActionGrammar.BrowserGym => Get(BrowserGymGrammar.BidArgument),
        ActionGrammar.WebVoyager => Get(WebVoyagerGrammar.ElementArgument) is { } label && label != WebVoyagerGrammar.Window ? label : null,
        _ => Function == DoFunction ? Get("element") : null,
    };

    /// <summary>The answer or message to the user that ends (or reports on) the task.</summary>
    public string? Message => Grammar switch
    {
        ActionGrammar.BrowserGym => BrowserGymGrammar.MessageOf(this),
        ActionGrammar.WebVoyager => Kind == ActionKind.Answer ? Get(WebVoyagerGrammar.TextArgument) : null,
        _ => Function == ExitFunction ? Get("message") : null,
    };

    public ActionKind Kind => Grammar switch
    {
        ActionGrammar.BrowserGym => BrowserGymGrammar.KindOf(Function),
        ActionGrammar.WebVoyager => WebVoyagerGrammar.KindOf(Function),
        _ => Function switch
        {
            DoFunction => Name is { } name && DoActionNames.TryGetValue(name, out var kind) ? kind : ActionKind.Unknown,
            ExitFunction => ActionKind.Exit,
            GoBackwardFunction => ActionKind.GoBackward,
            GoForwardFunction => ActionKind.GoForward,
            _ => ActionKind.Unknown,
        },
    };

    /// <summary>Whether the action ends the task: an exit, a stop, an answer or a report that the task cannot be done.</summary>
    public bool Ends => Kind is ActionKind.Exit or ActionKind.Stop or ActionKind.Answer or ActionKind.SendMessage or ActionKind.ReportInfeasible;

    /// <summary>A short label for counting: the <c>do</c> action name or the function name.</summary>
    public string Label => IsWebRl && Function == DoFunction ? Name ?? "do(?)" : Function;

    public IEnumerable<string> Notes => Comments.Where(c => c.Kind == CommentKind.Note).Select(c => c.Text);

    public string? ElementDescription => Comments.FirstOrDefault(c => c.Kind == CommentKind.Element)?.Text;

    public static WebAction Do(string name, string? argument = null, string? element = null, params ActionComment[] comments)
    {
        var arguments = new List<ActionArgument> { new("action", name) };
        if (argument is not null)
        {
            arguments.Add(new("argument", argument));
        }

        if (element is not null)
        {
            arguments.Add(new("element", element));
        }

        return new(comments.ToEquatableList(), DoFunction, arguments.ToEquatableList());
    }

    public static WebAction Exit(string? message, params ActionComment[] comments) =>
        new(comments.ToEquatableList(), ExitFunction,
            message is null ? EquatableList<ActionArgument>.Empty : EquatableList.Of(new ActionArgument("message", message)));

    public string? Get(string argumentName) =>
        Arguments.FirstOrDefault(a => string.Equals(a.Name, argumentName, StringComparison.Ordinal))?.Value;

    /// <summary>
    /// Same call, ignoring comments, case of the action name and whitespace at the ends of values:
    /// the comparison used to check a teacher's action against the ground truth.
    /// </summary>
    public bool SameCallAs(WebAction other) => IsWebRl
        ? SameWebRlCallAs(other)
        : Grammar == other.Grammar
            && string.Equals(Function, other.Function, StringComparison.Ordinal)
            && Arguments.Count == other.Arguments.Count
            && Arguments.Zip(other.Arguments).All(p => p.First.Name == p.Second.Name
                && string.Equals(p.First.Value?.Trim(), p.Second.Value?.Trim(), StringComparison.Ordinal));

    private bool SameWebRlCallAs(WebAction other) =>
        other.IsWebRl
        && Kind == other.Kind
        && string.Equals(Function, other.Function, StringComparison.Ordinal)
        && string.Equals(Name?.Trim(), other.Name?.Trim(), StringComparison.OrdinalIgnoreCase)
        && string.Equals(Argument?.Trim(), other.Argument?.Trim(), StringComparison.Ordinal)
        && string.Equals(Element?.Trim(), other.Element?.Trim(), StringComparison.Ordinal)
        && string.Equals(Message?.Trim(), other.Message?.Trim(), StringComparison.Ordinal);

    /// <summary>Things that are legal syntax but wrong for the grammar: unknown names, a missing element.</summary>
    public IEnumerable<string> Problems()
    {
        switch (Grammar)
        {
            case ActionGrammar.BrowserGym:
                return BrowserGymGrammar.Problems(this);
            case ActionGrammar.WebVoyager:
                return WebVoyagerGrammar.Problems(this);
            default:
                return WebRlProblems();
        }
    }

    private IEnumerable<string> WebRlProblems()
    {
        if (Function == DoFunction)
        {
            if (Name is null)
            {
                yield return "do(...) has no action name";
            }
            else if (Kind == ActionKind.Unknown)
            {
                yield return $"unknown action name \"{Name}\"";
            }

            if (Kind is ActionKind.Click or ActionKind.RightClick or ActionKind.Hover or ActionKind.Type
                or ActionKind.Search or ActionKind.SelectDropdownOption && string.IsNullOrWhiteSpace(Element))
            {
                yield return $"\"{Name}\" needs an element";
            }

            if (Kind is ActionKind.Type or ActionKind.Search or ActionKind.SelectDropdownOption && Argument is null)
            {
                yield return $"\"{Name}\" needs an argument";
            }
        }
        else if (Kind == ActionKind.Unknown)
        {
            yield return $"unknown function \"{Function}\"";
        }
    }

    public override string ToString() => ActionPrinter.Print(this);
}
