using PlanAct.Trajectories;

namespace PlanAct.Plans;

/// <summary>A trajectory and the global plan that grounds it (the plan record with the trajectory's id).</summary>
internal sealed record PlannedTrajectory(Trajectory Trajectory, string PlanId, Plan Plan);
