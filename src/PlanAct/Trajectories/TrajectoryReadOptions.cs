using PlanAct.IO;

namespace PlanAct.Trajectories;

internal sealed record TrajectoryReadOptions
{
    /// <summary>Where problems go; a log made with <c>skipInvalid: true</c> keeps reading past invalid trajectories.</summary>
    public ProblemLog Problems { get; init; } = new();

    /// <summary>Whether bytes that are not UTF-8 are read as U+FFFD (<c>--replace-invalid-utf8</c>) instead of stopping the read at their line.</summary>
    public bool ReplaceInvalidUtf8 { get; init; }

    /// <summary>The format every file is read as (<c>--format</c>); null tells each file's format from its content.</summary>
    public TrajectoryFormat? Format { get; init; }
}
