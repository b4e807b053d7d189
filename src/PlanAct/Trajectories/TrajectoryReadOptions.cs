using PlanAct.IO;

namespace PlanAct.Trajectories;

internal sealed record TrajectoryReadOptions
{
    /// <summary>Where problems go; a log made with <c>skipInvalid: true</c> keeps reading past invalid trajectories.</summary>
    public ProblemLog Problems { get; init; } = new();
}
