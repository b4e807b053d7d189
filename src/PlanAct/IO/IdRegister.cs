namespace PlanAct.IO;

/// <summary>The ids read so far and where each was first; a repeated id is a problem at its second place, naming the first.</summary>
internal sealed class IdRegister
{
    private readonly Dictionary<string, SourceLocation> _first = new(StringComparer.Ordinal);

    /// <summary>Whether the id is new; a repeat goes to <paramref name="problems"/> (thrown in strict mode).</summary>
    public bool Add(string id, SourceLocation location, ProblemLog problems)
    {
        if (_first.TryAdd(id, location))
        {
            return true;
        }

        var first = _first[id];
        problems.Error(location, $"duplicate id \"{id}\" (first at {(first.File == location.File && first.Line is { } line ? $"line {line}" : first.ToString())})");
        return false;
    }
}
