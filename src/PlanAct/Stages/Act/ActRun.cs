using PlanAct.IO;
using PlanAct.Training;
using PlanAct.Trajectories;

namespace PlanAct.Stages.Act;

/// <summary>
/// The act stage over files, as <c>planact act</c> and the pipeline run it: trajectories paired with their plans, the
/// example builder, and (without CoT) the executor examples of every step written whole. With CoT the planned steps
/// go to <see cref="ExecutorReasoningStage"/> through the stage runner instead.
/// </summary>
public sealed class ActRun
{
    private readonly Func<IAsyncEnumerable<Trajectory>> _trajectories;
    private readonly string _trajectoriesPath;
    private readonly ProblemLog _problems;

    private ActRun(PlanPairing pairing, ExecutorExamples builder, Func<IAsyncEnumerable<Trajectory>> trajectories, string trajectoriesPath, ProblemLog problems)
    {
        Pairing = pairing;
        Builder = builder;
        _trajectories = trajectories;
        _trajectoriesPath = trajectoriesPath;
        _problems = problems;
    }

    public PlanPairing Pairing { get; }

    public ExecutorExamples Builder { get; }

    /// <param name="plansPath">The plan records.</param>
    /// <param name="trajectories">A fresh pass over the trajectories each time it is called.</param>
    /// <param name="trajectoriesPath">Names trajectories that carry no location of their own.</param>
    /// <param name="options">The page budget of the examples.</param>
    /// <param name="problems">Gets invalid plans and trajectories, and the pairing's warnings.</param>
    /// <param name="cancellationToken">Stops loading the plans.</param>
    public static async Task<ActRun> OpenAsync(
        string plansPath, Func<IAsyncEnumerable<Trajectory>> trajectories, string trajectoriesPath, ExamplePageOptions options, ProblemLog problems, CancellationToken cancellationToken = default) =>
        new(await PlanPairing.LoadPlansAsync(plansPath, problems, cancellationToken), new ExecutorExamples(options), trajectories, trajectoriesPath, problems);

    /// <summary>The trajectories that have a grounding plan, in input order; each enumeration is a pass of its own.</summary>
    public IAsyncEnumerable<PlannedTrajectory> Planned(CancellationToken cancellationToken = default) =>
        Pairing.PairAsync(_trajectories(), _trajectoriesPath, _problems, cancellationToken);

    /// <summary>Writes every step's example (no teacher), whole or not at all; returns the examples and the planned trajectories.</summary>
    public async Task<(int Examples, int Planned)> WriteAsync(string outPath, CancellationToken cancellationToken = default)
    {
        var planned = 0;
        var examples = await ExampleJsonl.WriteAsync(outPath, Planned(cancellationToken).SelectMany(item =>
        {
            planned++;
            return Builder.Build(item).ToAsyncEnumerable();
        }), cancellationToken);
        return (examples, planned);
    }
}
