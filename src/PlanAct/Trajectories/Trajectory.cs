using PlanAct.Actions;
using PlanAct.IO;

namespace PlanAct.Trajectories;

/// <summary>One step: the page the agent saw and the action it took on it.</summary>
internal sealed record TrajectoryStep(int Index, string Html, WebAction Action);

/// <summary>A web-agent trajectory: a task on a site and its steps in order (schema <c>planact/trajectory@1</c>).</summary>
internal sealed record Trajectory(string Id, string Site, string Task, EquatableList<TrajectoryStep> Steps)
{
    /// <summary>Where the trajectory was read from: the file and the line (JSONL) or first array element (SFT).</summary>
    public SourceLocation? Source { get; init; }

    /// <summary>An outcome score from the collector or a judge, when known.</summary>
    public double? Score { get; init; }

    public string InitialHtml => Steps.Count > 0 ? Steps[0].Html : "";
}
