using PlanAct.Actions;
using PlanAct.Html;
using PlanAct.IO;

namespace PlanAct.Trajectories;

/// <summary>
/// One step: the observation the agent had (<see cref="Html"/> holds its text, whatever its <see cref="Observation"/>
/// kind) and the action it took on it.
/// </summary>
internal sealed record TrajectoryStep(int Index, string Html, WebAction Action)
{
    /// <summary>What <see cref="Html"/> is: WebRL simplified HTML unless the source says otherwise.</summary>
    public ObservationKind Observation { get; init; }

    /// <summary>The page's address, when the source recorded it.</summary>
    public string? Url { get; init; }

    /// <summary>The source agent's own reasoning for this step (ADP's <c>description</c>, a WebVoyager <c>Thought:</c>).</summary>
    public string? Reasoning { get; init; }

    /// <summary>A step whose source recorded no observation.</summary>
    public static TrajectoryStep Missing(int index, WebAction action) =>
        new(index, PlanAct.Html.Observation.MissingText, action) { Observation = ObservationKind.Missing };
}

/// <summary>A web-agent trajectory: a task on a site and its steps in order (schema <c>planact/trajectory@2</c>).</summary>
internal sealed record Trajectory(string Id, string Site, string Task, EquatableList<TrajectoryStep> Steps)
{
    /// <summary>The grammar of the steps' actions, which is also the grammar of the executor targets made from them.</summary>
    public ActionGrammar Grammar { get; init; }

    /// <summary>Where the trajectory was read from: the file and the line (JSONL) or first array element (SFT).</summary>
    public SourceLocation? Source { get; init; }

    /// <summary>An outcome score from the collector or a judge, when known.</summary>
    public double? Score { get; init; }

    public string InitialHtml => Steps.Count > 0 ? Steps[0].Html : "";
}
