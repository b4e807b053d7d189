using PlanAct.IO;

namespace PlanAct.Plans;

/// <summary>Where a plan came from.</summary>
internal static class PlanOrigin
{
    /// <summary>Annotated by a teacher from a real trajectory.</summary>
    public const string Grounded = "grounded";

    /// <summary>Generated from seed plans (expansion).</summary>
    public const string Synthetic = "synthetic";

    /// <summary>Generated to target a failure class (augmentation).</summary>
    public const string Targeted = "targeted";
}

/// <summary>
/// The canonical plan record (schema <c>planact/plan@2</c>): a task, the first page it starts from, and its plan.
/// Teacher provenance is optional so hand-made seed plans are valid records too.
/// </summary>
internal sealed record PlanRecord(string Id, string Site, string Task, string InitialHtml, Plan Plan, string Origin)
{
    /// <summary>
    /// The planner's thinking before this plan, written as if only the task and the first page were known (CoT annotation's
    /// rewrite round, expand and augment with CoT): what training examples may show as reasoning.
    /// </summary>
    public string? Reasoning { get; init; }

    /// <summary>
    /// The teacher's own trace of a grounded annotation (a reasoning model's thinking, or a &lt;think&gt; block), written
    /// seeing every action: kept for inspection and never used as training reasoning.
    /// </summary>
    public string? AnnotationTrace { get; init; }

    /// <summary>The teacher model that wrote the plan.</summary>
    public string? Teacher { get; init; }

    /// <summary>Ledger request ids whose answers built this record.</summary>
    public EquatableList<string>? Requests { get; init; }

    /// <summary>Generated records: the ids of the seed records the teacher was shown, in the order it saw them.</summary>
    public EquatableList<string>? Seeds { get; init; }

    /// <summary>Generated records: the id of the seed whose first page this record starts from.</summary>
    public string? InitialHtmlFrom { get; init; }

    /// <summary>The failure class a teacher gave this record (classify), or that a targeted record was made for.</summary>
    public FailureLabel? Label { get; init; }
}

/// <summary>A failure class (<see cref="Other"/> when none fits) and the teacher's reasoning for it.</summary>
internal sealed record FailureLabel(string Class, string Reasoning)
{
    public const string Other = "Other";
}
