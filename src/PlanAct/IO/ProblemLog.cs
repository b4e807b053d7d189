using System.Collections.Concurrent;

namespace PlanAct.IO;

/// <summary>
/// Collects input problems. In strict mode an error is thrown as an <see cref="InputException"/> at once;
/// with <see cref="SkipInvalid"/> it is recorded and the reader goes on with the rest. A problem is recorded once,
/// however often the same input is read (stages read theirs once for the ids, then again for the items).
/// </summary>
internal sealed class ProblemLog(bool skipInvalid = false)
{
    private readonly ConcurrentQueue<InputProblem> _problems = new();
    private readonly ConcurrentDictionary<InputProblem, bool> _seen = new();

    public bool SkipInvalid { get; } = skipInvalid;

    public IReadOnlyCollection<InputProblem> Problems => _problems;

    public int ErrorCount => _problems.Count(p => p.Severity == InputProblem.Error);

    public void Warn(SourceLocation location, string reason) => Add(new InputProblem(location, reason, InputProblem.Warning));

    /// <exception cref="InputException">When not skipping invalid input.</exception>
    public void Error(SourceLocation location, string reason, Exception? inner = null)
    {
        if (!SkipInvalid)
        {
            throw new InputException(location, reason, inner);
        }

        Add(new InputProblem(location, reason));
    }

    /// <summary>Records every problem of <paramref name="other"/> (read ahead in a log of its own) as met here now.</summary>
    public void AddAll(ProblemLog other)
    {
        foreach (var problem in other.Problems)
        {
            if (problem.Severity == InputProblem.Error)
            {
                Error(problem.Location, problem.Reason);
            }
            else
            {
                Add(problem);
            }
        }
    }

    private void Add(InputProblem problem)
    {
        if (_seen.TryAdd(problem, true))
        {
            _problems.Enqueue(problem);
        }
    }
}
