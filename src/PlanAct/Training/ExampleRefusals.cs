using System.Collections.Concurrent;
using PlanAct.Training.Profiles;

namespace PlanAct.Training;

/// <summary>An example a profile cannot be made from its record, and why.</summary>
internal sealed record RefusedExample(string Id, string Reason);

/// <summary>The examples a profile refused: listed by export, never dropped silently.</summary>
internal sealed class ExampleRefusals
{
    private readonly ConcurrentQueue<RefusedExample> _refused = new();

    public IReadOnlyCollection<RefusedExample> Refused => _refused;

    public void Add(string id, string reason) => _refused.Enqueue(new RefusedExample(id, reason));

    /// <param name="profile">The profile whose layout shows reasoning.</param>
    /// <param name="command">The command that makes records with reasoning, or null when none does.</param>
    /// <param name="annotationTraceOnly">The record has an annotation trace, which saw the whole run and is never training reasoning.</param>
    public static string NoReasoning(PromptProfile profile, string? command, bool annotationTraceOnly = false) =>
        $"no reasoning, which the {profile.Name} profile shows in the answer"
        + (annotationTraceOnly ? " (its annotation trace was written seeing the whole run, so it is never training reasoning)" : "")
        + "; "
        + (command is null ? "records of this origin carry none" : $"make the records with `{command}`");
}
