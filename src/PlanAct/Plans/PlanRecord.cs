using PlanAct.IO;

namespace PlanAct.Plans;

/// <summary>Where a plan came from.</summary>
public static class PlanOrigin
{
    /// <summary>Annotated by a teacher from a real trajectory.</summary>
    public const string Grounded = "grounded";

    /// <summary>Generated from seed plans (expansion).</summary>
    public const string Synthetic = "synthetic";

    /// <summary>Generated to target a failure class (augmentation).</summary>
    public const string Targeted = "targeted";
}

/// <summary>
/// The canonical plan record (schema <c>planact/plan@1</c>): a task, the first page it starts from, and its plan.
/// Teacher provenance is optional so hand-made seed plans are valid records too.
/// </summary>
public sealed record PlanRecord(string Id, string Site, string Task, string InitialHtml, Plan Plan, string Origin)
{
    /// <summary>The teacher's reasoning trace, kept apart from the plan (CoT mode).</summary>
    public string? Trace { get; init; }

    /// <summary>The teacher model that wrote the plan.</summary>
    public string? Teacher { get; init; }

    /// <summary>Ledger request ids whose answers built this record.</summary>
    public EquatableList<string>? Requests { get; init; }
}
