namespace PlanAct.Actions;

/// <summary>Action text that does not follow the grammar; <see cref="Line"/> and <see cref="Column"/> are 1-based within the action text.</summary>
internal sealed class ActionSyntaxException(string reason, int line, int column)
    : FormatException($"{reason} (action line {line}, column {column})")
{
    public string Reason { get; } = reason;

    public int Line { get; } = line;

    public int Column { get; } = column;
}
