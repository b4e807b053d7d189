namespace PlanAct.IO;

/// <summary>Where a piece of input came from: a file and a 1-based line, or an element of a JSON array.</summary>
public sealed record SourceLocation(string File, int? Line = null, int? Element = null)
{
    /// <summary><c>file:line</c>, <c>file: element [n]</c> or both, as messages show it.</summary>
    public override string ToString() =>
        (Line, Element) switch
        {
            ({ } line, { } element) => $"{File}:{line} (element [{element}])",
            ({ } line, null) => $"{File}:{line}",
            (null, { } element) => $"{File}: element [{element}]",
            _ => File,
        };
}

/// <summary>Bad input: carries where it is and why, so the message can be shown to the user as it is.</summary>
public class InputException : Exception
{
    /// <summary>Bad input at <paramref name="location"/>, for <paramref name="reason"/>.</summary>
    public InputException(SourceLocation location, string reason, Exception? inner = null)
        : base($"{location}: {reason}", inner)
    {
        Location = location;
        Reason = reason;
    }

    /// <summary>Where the bad input is.</summary>
    public SourceLocation Location { get; }

    /// <summary>What is wrong with it, without the location.</summary>
    public string Reason { get; }
}

/// <summary>
/// An existing output file that is not the output it is named as: a line is not a record of the stage's kind for an item
/// of the current input. It is refused and left untouched, since resuming would trust or rewrite someone else's data.
/// </summary>
internal sealed class ForeignOutputException(SourceLocation location, string reason, Exception? inner = null)
    : InputException(location, $"{reason}; this file is not this output, so it is left as it is: write the output elsewhere, or remove the file to start over", inner);

/// <summary>A problem found in the input, reported rather than thrown (with <c>--skip-invalid</c> or by <c>inspect</c>).</summary>
internal sealed record InputProblem(SourceLocation Location, string Reason, string Severity = InputProblem.Error)
{
    public const string Error = "error";
    public const string Warning = "warning";

    public override string ToString() => $"{Location}: {Severity}: {Reason}";
}
