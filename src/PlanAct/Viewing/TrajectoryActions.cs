using PlanAct.Actions;
using PlanAct.IO;
using PlanAct.Trajectories;

namespace PlanAct.Viewing;

/// <summary>What the viewer shows of a trajectory beside a plan: its site, task and actions (printed canonically); never its pages.</summary>
internal sealed record TrajectoryOutline(string Id, string Site, string Task, EquatableList<string> Actions);

/// <summary>
/// The outlines of the trajectories a run read, by id. Plan records hold only action numbers, so the actions they
/// ground come from here. Pages (nearly all of a trajectory file's bytes) are dropped as each trajectory is read, so
/// what is held is the actions alone. Trajectories the reader finds invalid are left out: the run refused them too.
/// </summary>
internal sealed class TrajectoryActions
{
    private readonly IReadOnlyDictionary<string, TrajectoryOutline> _byId;

    private TrajectoryActions(IReadOnlyDictionary<string, TrajectoryOutline> byId) => _byId = byId;

    public static TrajectoryActions None { get; } = new(new Dictionary<string, TrajectoryOutline>());

    public int Count => _byId.Count;

    /// <summary>Reads the trajectories of a file or folder of either supported format.</summary>
    public static async Task<TrajectoryActions> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        var byId = new Dictionary<string, TrajectoryOutline>(StringComparer.Ordinal);
        var options = new TrajectoryReadOptions { Problems = new ProblemLog(skipInvalid: true) };
        await foreach (var trajectory in TrajectoryFiles.ReadAsync(path, options, cancellationToken))
        {
            byId.TryAdd(trajectory.Id, new TrajectoryOutline(trajectory.Id, trajectory.Site, trajectory.Task, trajectory.Steps.Select(s => ActionPrinter.Print(s.Action)).ToEquatableList()));
        }

        return new TrajectoryActions(byId);
    }

    public TrajectoryOutline? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>
    /// The trajectory an item id names: the id itself, or its longest prefix up to a <c>/</c> that is a trajectory id
    /// (item ids of step-wise stages are <c>&lt;trajectory&gt;/executor/&lt;step&gt;</c>).
    /// </summary>
    public TrajectoryOutline? OfItem(string itemId)
    {
        for (var id = itemId; ; id = id[..id.LastIndexOf('/')])
        {
            if (_byId.TryGetValue(id, out var outline))
            {
                return outline;
            }

            if (!id.Contains('/', StringComparison.Ordinal))
            {
                return null;
            }
        }
    }
}
