using PlanAct.IO;
using PlanAct.Stages;
using PlanAct.Stages.Generation;

namespace PlanAct.Pipeline.Nodes;

/// <summary>A teacher stage's run as a node result: the same status rules for every teacher node.</summary>
internal static class TeacherNodeResult
{
    /// <summary>A dry run writes no output, so its stage is never done: the stages after it wait.</summary>
    public static NodeResult Of(StageSummary run, TeacherMode mode, string outPath, string? trainingData, TimeSpan elapsed)
    {
        var status = run.StoppedBecause is not null ? NodeStatus.Stopped
            : run.Pending.Count > 0 || mode == TeacherMode.DryRun ? NodeStatus.Waiting
            : NodeStatus.Done;
        var text = mode == TeacherMode.DryRun
            ? $"dry run: {run.Pending.Count} requests to send for {run.Total} items (the ledger answers the rest), nothing written"
            : status == NodeStatus.Waiting
            ? $"{run.Pending.Count} requests wait for the teacher ({run.AlreadyDone + run.Ok} of {run.Total} items answered)"
            : Counts(run.AlreadyDone + run.Ok, run.AlreadyDone, run.Quarantined, run.Skipped.Count);
        return new NodeResult(run.Stage, status, [new NodeOutput(outPath, trainingData)], text)
        {
            Run = run,
            RunOutput = outPath,
            Problems = run.Quarantined + run.Skipped.Count,
            Seconds = elapsed.TotalSeconds,
            Stats = File.Exists(StageStats.PathBeside(outPath)) ? StageStats.PathBeside(outPath) : null,
        };
    }

    /// <summary>
    /// What a later run of a done item stage says when it finds the node up to date: every record from an earlier run.
    /// Null when the result's summary is not the stage runner's (a generation run's is its selection).
    /// </summary>
    public static string? Resumed(NodeResult result) =>
        result.Run is { } run && result.Outputs.Count > 0 && result.Outputs[0].Path == result.RunOutput
            ? Counts(run.AlreadyDone + run.Ok, run.AlreadyDone + run.Ok, run.Quarantined, run.Skipped.Count)
            : null;

    private static string Counts(int ok, int earlier, int quarantined, int skipped) => $"{ok} ok ({earlier} from an earlier run), {quarantined} quarantined, {skipped} skipped";

    /// <summary>
    /// A generation run (expand, augment): the requests' account is that of its answers file; the records, once
    /// selected, are the output, and a run that ended short of its target (budget spent) is stopped.
    /// </summary>
    public static NodeResult Of(GenerationResult result, TeacherMode mode, string outPath, string trainingData, TimeSpan elapsed)
    {
        var answers = Of(result.Summary, mode, OutputPaths.Beside(outPath, "answers.jsonl"), trainingData, elapsed);
        if (answers.Status != NodeStatus.Done && result.Report is null)
        {
            return answers with { Outputs = [new NodeOutput(outPath, trainingData)] };
        }

        return answers with
        {
            Status = result.StoppedBecause is null ? NodeStatus.Done : answers.Status == NodeStatus.Waiting ? NodeStatus.Waiting : NodeStatus.Stopped,
            Outputs = [new NodeOutput(outPath, trainingData), new NodeOutput(OutputPaths.Beside(outPath, "report.json"))],
            Summary = result.Report!.Lines().First()
                + (result.StoppedBecause is { } why ? $"; {why}" : "")
                + (result.WithoutReasoning > 0 ? $"; {result.WithoutReasoning} without valid reasoning left out" : ""),
            Problems = answers.Problems + result.WithoutReasoning,
        };
    }
}
