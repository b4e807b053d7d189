using System.Runtime.CompilerServices;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Trajectories;

namespace PlanAct.Stages.Act;

/// <summary>
/// Matches trajectories with their plans by id. The plans are indexed in memory (without their pages); trajectories
/// stream past. A plan must ground its trajectory (<see cref="PlanValidator"/>), else it is an input error at the
/// plan's line. Trajectories without a plan and plans without a trajectory are listed as warnings, not errors:
/// annotating only part of a data set is normal.
/// </summary>
public sealed class PlanPairing
{
    private readonly Dictionary<string, (Plan Plan, SourceLocation Location)> _plans;
    private readonly List<string> _planOrder;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly List<string> _withoutPlan = [];

    private PlanPairing(Dictionary<string, (Plan, SourceLocation)> plans, List<string> order)
    {
        _plans = plans;
        _planOrder = order;
    }

    /// <summary>Trajectory ids that had no plan, in input order.</summary>
    public IReadOnlyList<string> TrajectoriesWithoutPlan => _withoutPlan;

    /// <summary>Plan ids no trajectory matched (complete once pairing has run to the end), in file order.</summary>
    public IReadOnlyList<string> PlansWithoutTrajectory => [.. _planOrder.Where(id => !_seen.Contains(id))];

    /// <summary>Indexes the plan records of <paramref name="path"/> by id (a repeated id is an error at its line).</summary>
    public static async Task<PlanPairing> LoadPlansAsync(string path, ProblemLog problems, CancellationToken cancellationToken = default)
    {
        var plans = new Dictionary<string, (Plan, SourceLocation)>(StringComparer.Ordinal);
        var order = new List<string>();
        await foreach (var (record, location) in PlanJsonl.ReadLocatedAsync(path, problems, cancellationToken))
        {
            plans[record.Id] = (record.Plan, location);
            order.Add(record.Id);
        }

        return new PlanPairing(plans, order);
    }

    /// <summary>
    /// Yields each trajectory that has a grounding plan. After the last one, every plan nobody claimed is warned about.
    /// Each enumeration is a pass of its own (a stage run reads its input more than once).
    /// </summary>
    /// <param name="trajectories">The trajectories, e.g. from <see cref="TrajectoryFiles.ReadAsync"/>.</param>
    /// <param name="inputPath">Names trajectories that carry no source location of their own.</param>
    /// <param name="problems">Gets grounding errors, duplicate trajectories and the warnings.</param>
    /// <param name="cancellationToken">Stops the pairing.</param>
    public async IAsyncEnumerable<PlannedTrajectory> PairAsync(
        IAsyncEnumerable<Trajectory> trajectories, string inputPath, ProblemLog problems, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        _seen.Clear();
        _withoutPlan.Clear();
        await foreach (var trajectory in trajectories.WithCancellation(cancellationToken))
        {
            var location = trajectory.Source ?? new SourceLocation(inputPath);
            if (!_seen.Add(trajectory.Id))
            {
                problems.Error(location, $"trajectory id \"{trajectory.Id}\" occurs more than once; plans are matched by id");
                continue;
            }

            if (!_plans.TryGetValue(trajectory.Id, out var entry))
            {
                _withoutPlan.Add(trajectory.Id);
                problems.Warn(location, $"trajectory \"{trajectory.Id}\" has no plan; skipped");
                continue;
            }

            var errors = PlanValidator.ValidateGrounding(entry.Plan, 0, trajectory.Steps.Count);
            if (errors.Count > 0)
            {
                problems.Error(entry.Location, $"plan \"{trajectory.Id}\" does not ground its trajectory ({trajectory.Steps.Count} actions): {string.Join(" ", errors)}");
                continue;
            }

            yield return new PlannedTrajectory(trajectory, trajectory.Id, entry.Plan);
        }

        foreach (var id in PlansWithoutTrajectory)
        {
            problems.Warn(_plans[id].Location, $"plan \"{id}\" has no trajectory");
        }
    }
}
