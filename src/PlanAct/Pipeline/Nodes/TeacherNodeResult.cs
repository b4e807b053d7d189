using PlanAct.Stages;

namespace PlanAct.Pipeline.Nodes;

/// <summary>A teacher stage's run as a node result: the same status rules for every teacher node.</summary>
internal static class TeacherNodeResult
{
    /// <summary>A dry run writes no output, so its stage is never done: the stages after it wait.</summary>
    public static NodeResult Of(StageSummary run, TeacherMode mode, string outPath, string trainingData, TimeSpan elapsed)
    {
        var status = run.StoppedBecause is not null ? NodeStatus.Stopped
            : run.Pending.Count > 0 || mode == TeacherMode.DryRun ? NodeStatus.Waiting
            : NodeStatus.Done;
        var text = mode == TeacherMode.DryRun
            ? $"dry run: {run.Pending.Count} requests to send for {run.Total} items (the ledger answers the rest), nothing written"
            : status == NodeStatus.Waiting
            ? $"{run.Pending.Count} requests wait for the teacher ({run.AlreadyDone + run.Ok} of {run.Total} items answered)"
            : $"{run.AlreadyDone + run.Ok} ok ({run.AlreadyDone} from an earlier run), {run.Quarantined} quarantined, {run.Skipped.Count} skipped";
        return new NodeResult(run.Stage, status, [new NodeOutput(outPath, trainingData)], text)
        {
            Run = run,
            Problems = run.Quarantined + run.Skipped.Count,
            Seconds = elapsed.TotalSeconds,
            Stats = File.Exists(StageStats.PathBeside(outPath)) ? StageStats.PathBeside(outPath) : null,
        };
    }
}
