using PlanAct.IO;
using PlanAct.Training;
using PlanAct.Trajectories;

namespace PlanAct.Stages.Act;

/// <summary>What one act run wrote and left out.</summary>
public sealed record ActReport(int Examples, int Planned, IReadOnlyList<string> TrajectoriesWithoutPlan, IReadOnlyList<string> PlansWithoutTrajectory, int PagesCut);

/// <summary>
/// The act stage over files (what <c>planact act</c> and the pipeline run): pair trajectories with their plans and
/// write one executor example per step, whole or not at all.
/// </summary>
public static class ActRun
{
    public static async Task<ActReport> WriteAsync(
        IAsyncEnumerable<Trajectory> trajectories,
        string trajectoriesPath,
        string plansPath,
        string outPath,
        ExamplePageOptions options,
        ProblemLog problems,
        CancellationToken cancellationToken = default)
    {
        var pairing = await PlanPairing.LoadPlansAsync(plansPath, problems, cancellationToken);
        var builder = new ExecutorExamples(options);
        var planned = 0;
        var examples = pairing.PairAsync(trajectories, trajectoriesPath, problems, cancellationToken).SelectMany(item =>
        {
            planned++;
            return builder.Build(item).ToAsyncEnumerable();
        });
        var count = await ExampleJsonl.WriteAsync(outPath, examples, cancellationToken);
        return new ActReport(count, planned, pairing.TrajectoriesWithoutPlan, pairing.PlansWithoutTrajectory, builder.PagesCut);
    }
}
