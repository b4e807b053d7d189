using System.Runtime.CompilerServices;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Trajectories;

namespace PlanAct.Stages.Act;

/// <summary>
/// Matches trajectories with the records made from them (plans, replans) by id. The records are indexed in memory
/// (only what pairing keeps of them, e.g. without pages); trajectories stream past. A record must fit its trajectory
/// (the check given to <see cref="LoadAsync"/>), else it is an input error at the record's line. Trajectories without
/// a record and records without a trajectory are listed as warnings, not errors: processing only part of a data set is
/// normal. Each <see cref="PairAsync"/> pairs afresh, so a stage may read its input more than once.
/// </summary>
/// <typeparam name="TRecord">What is kept of each record.</typeparam>
internal sealed class TrajectoryPairing<TRecord>
{
    private readonly Dictionary<string, (TRecord Record, SourceLocation Location)> _records;
    private readonly List<string> _order;
    private readonly string _what;
    private readonly Func<TRecord, Trajectory, IReadOnlyList<string>> _check;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly List<string> _without = [];

    private TrajectoryPairing(Dictionary<string, (TRecord, SourceLocation)> records, List<string> order, string what, Func<TRecord, Trajectory, IReadOnlyList<string>> check)
    {
        _records = records;
        _order = order;
        _what = what;
        _check = check;
    }

    /// <summary>Trajectory ids that had no record, in input order.</summary>
    public IReadOnlyList<string> TrajectoriesWithoutRecord => _without;

    /// <summary>Record ids no trajectory matched (complete once pairing has run to the end), in file order.</summary>
    public IReadOnlyList<string> RecordsWithoutTrajectory => [.. _order.Where(id => !_seen.Contains(id))];

    /// <summary>Indexes records by id; the reader reports repeated ids.</summary>
    /// <param name="records">The records with their ids and lines.</param>
    /// <param name="what">What a record is called in messages ("plan").</param>
    /// <param name="check">Why a record does not fit its trajectory (empty when it does).</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    public static async Task<TrajectoryPairing<TRecord>> LoadAsync(
        IAsyncEnumerable<(string Id, TRecord Record, SourceLocation Location)> records,
        string what,
        Func<TRecord, Trajectory, IReadOnlyList<string>> check,
        CancellationToken cancellationToken = default)
    {
        var index = new Dictionary<string, (TRecord, SourceLocation)>(StringComparer.Ordinal);
        var order = new List<string>();
        await foreach (var (id, record, location) in records.WithCancellation(cancellationToken))
        {
            index[id] = (record, location);
            order.Add(id);
        }

        return new TrajectoryPairing<TRecord>(index, order, what, check);
    }

    /// <summary>
    /// Yields each trajectory that has a fitting record. After the last one, every record nobody claimed is warned about.
    /// </summary>
    /// <param name="trajectories">The trajectories, e.g. from <see cref="TrajectoryFiles.ReadAsync"/>.</param>
    /// <param name="inputPath">Names trajectories that carry no source location of their own.</param>
    /// <param name="problems">Gets misfits, duplicate trajectories and the warnings.</param>
    /// <param name="cancellationToken">Stops the pairing.</param>
    public async IAsyncEnumerable<(Trajectory Trajectory, TRecord Record)> PairAsync(
        IAsyncEnumerable<Trajectory> trajectories, string inputPath, ProblemLog problems, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        _seen.Clear();
        _without.Clear();
        await foreach (var trajectory in trajectories.WithCancellation(cancellationToken))
        {
            var location = trajectory.Source ?? new SourceLocation(inputPath);
            if (!_seen.Add(trajectory.Id))
            {
                problems.Error(location, $"trajectory id \"{trajectory.Id}\" occurs more than once; {_what}s are matched by id");
                continue;
            }

            if (!_records.TryGetValue(trajectory.Id, out var entry))
            {
                _without.Add(trajectory.Id);
                problems.Warn(location, $"trajectory \"{trajectory.Id}\" has no {_what}; skipped");
                continue;
            }

            var errors = _check(entry.Record, trajectory);
            if (errors.Count > 0)
            {
                problems.Error(entry.Location, $"{_what} \"{trajectory.Id}\" does not fit its trajectory ({trajectory.Steps.Count} actions): {string.Join(" ", errors)}");
                continue;
            }

            yield return (trajectory, entry.Record);
        }

        foreach (var id in RecordsWithoutTrajectory)
        {
            problems.Warn(_records[id].Location, $"{_what} \"{id}\" has no trajectory");
        }
    }
}

/// <summary>Pairs trajectories with their plan records (which must ground them) or their replan records (which must be made from them).</summary>
internal static class PlanPairing
{
    /// <summary>Indexes the plan records of <paramref name="path"/> by id (a repeated id is an error at its line).</summary>
    public static Task<TrajectoryPairing<Plan>> LoadPlansAsync(string path, ProblemLog problems, CancellationToken cancellationToken = default) =>
        TrajectoryPairing<Plan>.LoadAsync(
            PlanJsonl.ReadLocatedAsync(path, problems, cancellationToken).Select(p => (p.Record.Id, p.Record.Plan, p.Location)),
            "plan",
            (plan, trajectory) => trajectory.Steps.Count == 0 ? ["the trajectory has no actions."] : PlanValidator.ValidateGrounding(plan, 0, trajectory.Steps.Count),
            cancellationToken);

    /// <summary>The trajectories of <paramref name="trajectories"/> that have a grounding plan, with it.</summary>
    /// <param name="pairing">Plans indexed by <see cref="LoadPlansAsync"/>.</param>
    /// <param name="trajectories">The trajectories.</param>
    /// <param name="inputPath">Names trajectories that carry no source location of their own.</param>
    /// <param name="problems">Gets misfits and warnings.</param>
    /// <param name="cancellationToken">Stops the pairing.</param>
    public static IAsyncEnumerable<PlannedTrajectory> PairPlansAsync(
        this TrajectoryPairing<Plan> pairing, IAsyncEnumerable<Trajectory> trajectories, string inputPath, ProblemLog problems, CancellationToken cancellationToken = default) =>
        pairing.PairAsync(trajectories, inputPath, problems, cancellationToken).Select(p => new PlannedTrajectory(p.Trajectory, p.Trajectory.Id, p.Record));

    /// <summary>Indexes the replan records of <paramref name="path"/> by id, without their pages.</summary>
    /// <param name="path">The replan records (planact/replan@2 JSONL).</param>
    /// <param name="problems">Gets invalid lines and repeated ids.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    public static Task<TrajectoryPairing<ReplanRecord>> LoadReplansAsync(string path, ProblemLog problems, CancellationToken cancellationToken = default) =>
        IndexReplansAsync(ReplanJsonl.ReadLocatedAsync(path, problems, cancellationToken).Select(r => (r.Record.Id, r.Record.WithoutPages(), r.Location)), cancellationToken);

    /// <summary>Indexes replan records by id: each must be made from its trajectory (the same actions).</summary>
    public static Task<TrajectoryPairing<ReplanRecord>> IndexReplansAsync(
        IAsyncEnumerable<(string Id, ReplanRecord Record, SourceLocation Location)> records, CancellationToken cancellationToken = default) =>
        TrajectoryPairing<ReplanRecord>.LoadAsync(
            records,
            "replan record",
            (replans, trajectory) => replans.Actions.Count != trajectory.Steps.Count
                ? [$"the record has {replans.Actions.Count} actions."]
                : [.. trajectory.Steps.Where(s => s.Action != replans.Actions[s.Index]).Take(1).Select(s => $"action {s.Index} differs from the record's.")],
            cancellationToken);
}
