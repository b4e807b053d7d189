using PlanAct.IO;

namespace PlanAct.Plans;

/// <summary>
/// One step of a global plan. <see cref="Description"/> and <see cref="Actions"/> ground the step in the trajectory
/// (which actions carry it out); the training target keeps only <see cref="Reasoning"/> and <see cref="Step"/>.
/// </summary>
internal sealed record PlanStep(int Number, string Reasoning, string? Description, string Step, EquatableList<int>? Actions);

/// <summary>A global plan: numbered high-level steps.</summary>
internal sealed record Plan(EquatableList<PlanStep> Steps)
{
    public override string ToString() => PlanText.Format(this);
}
