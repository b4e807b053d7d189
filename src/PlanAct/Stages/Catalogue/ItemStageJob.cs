using System.Diagnostics;
using PlanAct.Pipeline;
using PlanAct.Pipeline.Nodes;
using PlanAct.Teacher;

namespace PlanAct.Stages.Catalogue;

/// <summary>An item stage's work: one record per input item of <paramref name="input"/>, through the <see cref="StageRunner{TIn,TOut}"/>, into <paramref name="outPath"/>.</summary>
internal sealed class ItemStageJob<TIn, TOut>(
    Func<TeacherSession, ITeacherStage<TIn, TOut>> createStage, Func<IAsyncEnumerable<TIn>> input, string outPath, Shard? shard, string? trainingData) : StageJob
{
    /// <summary>Lines to add to the result's details once the run is over (e.g. what pairing left out).</summary>
    public Func<IReadOnlyList<string>>? After { get; init; }

    public override async Task<NodeResult> RunAsync(StageRunContext context, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var session = context.Session ?? throw new InvalidOperationException("an item stage asks a teacher: open a session");
        var run = await new StageRunner<TIn, TOut>(createStage(session), session) { Shard = shard, Feed = context.Feed }
            .RunAsync(input, outPath, context.Mode, context.Batch, context.Progress, cancellationToken);
        return TeacherNodeResult.Of(run, context.Mode, outPath, trainingData, clock.Elapsed) with { Details = After?.Invoke() ?? [] };
    }
}
