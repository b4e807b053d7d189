using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Training;
using PlanAct.Trajectories;

namespace PlanAct.Stages.Act;

/// <summary>The executor examples of an act stage's run without a teacher, and what pairing made and left out.</summary>
/// <typeparam name="TRecord">The records paired with the trajectories (plans, replans).</typeparam>
internal interface IExecutorExamples<TRecord>
{
    TrajectoryPairing<TRecord> Pairing { get; }

    /// <summary>Trajectories paired by the latest <see cref="WriteAsync"/>.</summary>
    int Paired { get; }

    /// <summary>Current pages cut to the page budget.</summary>
    int PagesCut { get; }

    /// <summary>Writes every step's example, whole or not at all; returns how many.</summary>
    Task<int> WriteAsync(string outPath, CancellationToken cancellationToken = default);
}

/// <summary>
/// The act stages over files, as <c>planact act</c> / <c>planact dynamic-act</c> and the pipeline run them:
/// trajectories paired with their records (plans, or replans), and the executor examples of every step, written whole
/// (no teacher) or handed to <see cref="ExecutorReasoningStage"/> as <see cref="Steps"/> (CoT).
/// </summary>
internal sealed class ActRun<TRecord> : IExecutorExamples<TRecord>
{
    private readonly Func<ExecutorExamples, Trajectory, TRecord, IEnumerable<TrainingExample>> _build;
    private readonly Func<IAsyncEnumerable<Trajectory>> _trajectories;
    private readonly string _trajectoriesPath;
    private readonly ExamplePageOptions _pages;
    private readonly ProblemLog _problems;
    private int _paired;

    internal ActRun(
        TrajectoryPairing<TRecord> pairing,
        Func<ExecutorExamples, Trajectory, TRecord, IEnumerable<TrainingExample>> build,
        Func<IAsyncEnumerable<Trajectory>> trajectories,
        string trajectoriesPath,
        ExamplePageOptions pages,
        ProblemLog problems)
    {
        Pairing = pairing;
        _build = build;
        _trajectories = trajectories;
        _trajectoriesPath = trajectoriesPath;
        _pages = pages;
        _problems = problems;
        Builder = new ExecutorExamples(pages);
    }

    public TrajectoryPairing<TRecord> Pairing { get; }

    /// <summary>The builder of the latest pass (its count of cut pages is that pass's).</summary>
    public ExecutorExamples Builder { get; private set; }

    /// <summary>Trajectories paired in the latest pass.</summary>
    public int Paired => _paired;

    public int PagesCut => Builder.PagesCut;

    /// <summary>
    /// Every step's example with its trajectory, in input order. A stage run reads its input more than once: each
    /// pass gets its own builder, so the counts are one pass's.
    /// </summary>
    public IAsyncEnumerable<(Trajectory Trajectory, TrainingExample Example)> Examples(CancellationToken cancellationToken = default)
    {
        Builder = new ExecutorExamples(_pages);
        _paired = 0;
        return Pairing.PairAsync(_trajectories(), _trajectoriesPath, _problems, cancellationToken).SelectMany(item =>
        {
            _paired++;
            return _build(Builder, item.Trajectory, item.Record).Select(e => (item.Trajectory, e)).ToAsyncEnumerable();
        });
    }

    /// <summary>The items of the CoT stage.</summary>
    public IAsyncEnumerable<ExecutorStep> Steps(CancellationToken cancellationToken = default) =>
        Examples(cancellationToken).Select(e => new ExecutorStep(e.Trajectory, e.Example));

    public Task<int> WriteAsync(string outPath, CancellationToken cancellationToken = default) =>
        ExampleJsonl.WriteAsync(outPath, Examples(cancellationToken).Select(e => e.Example), cancellationToken);
}

/// <summary>The two act stages' runs: executor examples under the global plan, or under the latest replan.</summary>
internal static class ActRun
{
    /// <param name="plansPath">The plan records.</param>
    /// <param name="trajectories">A fresh pass over the trajectories each time it is called.</param>
    /// <param name="trajectoriesPath">Names trajectories that carry no location of their own.</param>
    /// <param name="pages">The page budget of the examples.</param>
    /// <param name="problems">Gets invalid plans and trajectories, and the pairing's warnings.</param>
    /// <param name="cancellationToken">Stops loading the plans.</param>
    public static async Task<ActRun<Plan>> ForPlansAsync(
        string plansPath, Func<IAsyncEnumerable<Trajectory>> trajectories, string trajectoriesPath, ExamplePageOptions pages, ProblemLog problems, CancellationToken cancellationToken = default) =>
        new(
            await PlanPairing.LoadPlansAsync(plansPath, problems, cancellationToken),
            (builder, trajectory, plan) => builder.Build(new PlannedTrajectory(trajectory, trajectory.Id, plan)),
            trajectories,
            trajectoriesPath,
            pages,
            problems);

    /// <param name="replansPath">The replan records.</param>
    /// <param name="trajectories">A fresh pass over the trajectories each time it is called.</param>
    /// <param name="trajectoriesPath">Names trajectories that carry no location of their own.</param>
    /// <param name="pages">The page budget of the examples.</param>
    /// <param name="problems">Gets invalid records and trajectories, and the pairing's warnings.</param>
    /// <param name="cancellationToken">Stops loading the records.</param>
    public static async Task<ActRun<ReplanRecord>> ForReplansAsync(
        string replansPath, Func<IAsyncEnumerable<Trajectory>> trajectories, string trajectoriesPath, ExamplePageOptions pages, ProblemLog problems, CancellationToken cancellationToken = default) =>
        new(
            await PlanPairing.LoadReplansAsync(replansPath, problems, cancellationToken),
            (builder, trajectory, replans) => builder.BuildDynamic(trajectory, replans),
            trajectories,
            trajectoriesPath,
            pages,
            problems);
}
