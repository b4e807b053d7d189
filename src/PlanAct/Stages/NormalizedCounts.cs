using PlanAct.Teacher;

namespace PlanAct.Stages;

/// <summary>The answers a stage accepted after the tolerant reading took dressing off them, and that dressing by kind.</summary>
internal sealed class NormalizedCounts
{
    private int _answers;

    public int Answers => Volatile.Read(ref _answers);

    /// <summary>How many of those answers had each kind of dressing.</summary>
    public ReasonCounts ByDressing { get; } = new();

    /// <summary>Counts the accepted answers of one finished item, each given as the dressing taken off it.</summary>
    public void Add(IEnumerable<IReadOnlyList<Dressing>> answers)
    {
        foreach (var answer in answers)
        {
            Interlocked.Increment(ref _answers);
            foreach (var kind in answer.Select(d => d.Kind).Distinct())
            {
                ByDressing.Add(kind);
            }
        }
    }
}
