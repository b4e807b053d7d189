using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Plans.Hindsight;
using PlanAct.Trajectories;

namespace PlanAct.Training;

/// <summary>
/// What export finds in grounded plans when it is given their trajectories (<c>export --trajectories</c>): every value a
/// plan's target or reasoning names that only the trajectory's later pages, its actions' notes or its final answer show.
/// A plan record holds only its first page, so without the trajectory export can check it against its own grounding
/// alone. Built in two streaming passes, neither holding a page: the grounded plans' target parts by id, then each
/// trajectory with such a plan checked as it is read (its pages rendered only when a value needs them).
/// </summary>
internal sealed class PlannerHindsightFindings
{
    private readonly IReadOnlyDictionary<string, IReadOnlyList<HindsightFinding>> _byPlan;

    private PlannerHindsightFindings(IReadOnlyDictionary<string, IReadOnlyList<HindsightFinding>> byPlan, int checkedPlans)
    {
        _byPlan = byPlan;
        Checked = checkedPlans;
    }

    /// <summary>Grounded plans whose trajectory was found and checked.</summary>
    public int Checked { get; }

    /// <summary>The findings in the grounded plans of <paramref name="recordPaths"/> (plan record files; other kinds are passed over) against the trajectories of <paramref name="trajectoriesPath"/>.</summary>
    public static async Task<PlannerHindsightFindings> FindAsync(
        IReadOnlyList<string> recordPaths, string trajectoriesPath, TrajectoryReadOptions readOptions, CancellationToken cancellationToken = default)
    {
        var targets = new Dictionary<string, TargetPart[]>(StringComparer.Ordinal);
        foreach (var path in recordPaths)
        {
            if (await TrainingRecords.DetectAsync(path, cancellationToken) != TrainingRecordKind.Plans)
            {
                continue;
            }

            // Invalid lines are the export's to report, when it reads the file itself.
            await foreach (var plan in PlanJsonl.ReadAsync(path, new ProblemLog(skipInvalid: true), cancellationToken))
            {
                if (plan.Origin == PlanOrigin.Grounded)
                {
                    targets.TryAdd(plan.Id, [.. TargetPart.Of(plan.Plan, plan.Reasoning)]);
                }
            }
        }

        var byPlan = new Dictionary<string, IReadOnlyList<HindsightFinding>>(StringComparer.Ordinal);
        var checkedPlans = 0;
        if (targets.Count > 0)
        {
            await foreach (var trajectory in TrajectoryFiles.ReadAsync(trajectoriesPath, readOptions, cancellationToken))
            {
                if (trajectory.Steps.Count > 0 && targets.Remove(trajectory.Id, out var parts))
                {
                    checkedPlans++;
                    byPlan[trajectory.Id] = new TrajectoryHindsight(trajectory).At(0).Find(parts);
                }
            }
        }

        return new PlannerHindsightFindings(byPlan, checkedPlans);
    }

    /// <summary>The findings of one plan (empty when it was not checked), without those in the thinking unless <paramref name="reasoningShown"/>.</summary>
    public IReadOnlyList<HindsightFinding> For(string planId, bool reasoningShown) =>
        _byPlan.TryGetValue(planId, out var findings)
            ? reasoningShown ? findings : [.. findings.Where(f => f.Where != TargetPart.ThinkingPart)]
            : [];
}
