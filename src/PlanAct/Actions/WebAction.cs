using PlanAct.IO;

namespace PlanAct.Actions;

/// <summary>What an action does, as far as the WebArena-Lite / WebRL grammar defines it.</summary>
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
internal sealed record ActionArgument(string? Name, string? Value);

/// <summary>
/// One agent action: comment lines, then one call such as <c>do(action="Click", element="15")</c>,
/// <c>go_backward()</c> or <c>exit(message="...")</c>. Unknown functions and action names are kept.
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

    /// <summary>The <c>action=</c> of a <c>do(...)</c> call.</summary>
    public string? Name => Function == DoFunction ? Get("action") : null;

    /// <summary>The <c>argument=</c> of a <c>do(...)</c> call: text to type, option to select.</summary>
    public string? Argument => Function == DoFunction ? Get("argument") : null;

    /// <summary>The <c>element=</c> id of a <c>do(...)</c> call.</summary>
    public string? Element => Function == DoFunction ? Get("element") : null;

    /// <summary>The <c>message=</c> of an <c>exit(...)</c> call: the answer, if the task asked a question.</summary>
    public string? Message => Function == ExitFunction ? Get("message") : null;

    public ActionKind Kind => Function switch
    {
        DoFunction => Name is { } name && DoActionNames.TryGetValue(name, out var kind) ? kind : ActionKind.Unknown,
        ExitFunction => ActionKind.Exit,
        GoBackwardFunction => ActionKind.GoBackward,
        GoForwardFunction => ActionKind.GoForward,
        _ => ActionKind.Unknown,
    };

    /// <summary>A short label for counting: the <c>do</c> action name or the function name.</summary>
    public string Label => Function == DoFunction ? Name ?? "do(?)" : Function;

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
    public bool SameCallAs(WebAction other) =>
        Kind == other.Kind
        && string.Equals(Function, other.Function, StringComparison.Ordinal)
        && string.Equals(Name?.Trim(), other.Name?.Trim(), StringComparison.OrdinalIgnoreCase)
        && string.Equals(Argument?.Trim(), other.Argument?.Trim(), StringComparison.Ordinal)
        && string.Equals(Element?.Trim(), other.Element?.Trim(), StringComparison.Ordinal)
        && string.Equals(Message?.Trim(), other.Message?.Trim(), StringComparison.Ordinal);

    /// <summary>Things that are legal syntax but wrong for the grammar: unknown names, a missing element.</summary>
    public IEnumerable<string> Problems()
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
