using System.Collections.Concurrent;
using System.Diagnostics;
using PlanAct.IO;
using PlanAct.Stages;
using PlanAct.Teacher;

namespace PlanAct.Bench;

/// <summary>A stage that times how long each item takes to process (prompt, ledger, limits, HTTP round trip, validation).</summary>
internal sealed class TimedStage<TIn, TOut>(ITeacherStage<TIn, TOut> inner) : ITeacherStage<TIn, TOut>
{
    private readonly ConcurrentQueue<TimeSpan> _durations = new();

    public IReadOnlyCollection<TimeSpan> Durations => _durations;

    public string Name => inner.Name;

    public string IdOf(TIn item) => inner.IdOf(item);

    public string Format(TOut output) => inner.Format(output);

    public string IdOfRecord(string line, SourceLocation location) => inner.IdOfRecord(line, location);

    public async Task<ItemResult<TOut>> ProcessAsync(TIn item, TeacherDialog teacher, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var result = await inner.ProcessAsync(item, teacher, cancellationToken);
        _durations.Enqueue(Stopwatch.GetElapsedTime(start));
        return result;
    }
}
