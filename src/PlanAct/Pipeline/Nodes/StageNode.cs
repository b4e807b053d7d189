using PlanAct.Stages;
using PlanAct.Stages.Catalogue;

namespace PlanAct.Pipeline.Nodes;

/// <summary>
/// A catalogue stage as the pipeline drives it: its options read from the pipeline file, its inputs the pipeline's
/// trajectories and the outputs of the stages it requires, its output a file of the run directory.
/// </summary>
internal sealed class StageNode(StageDefinition stage) : IPipelineNode
{
    public string Name => stage.Name;

    public IReadOnlyList<string> Requires => stage.Requires;

    public bool YieldsTrainingData => stage.Output.TrainingData is not null;

    public bool ReadsAllTrainingData => false;

    public void Check(StageOptions options) => StageOptionValues.Read(options, stage.Options);

    public string? ExpectedRequests(RunInput input, StageOptions options)
    {
        var values = StageOptionValues.Read(options, stage.Options);
        return stage.AsksTeacher(values) ? stage.ExpectedRequests(input, values) : null;
    }

    public bool AsksTeacher(StageOptions options) => stage.AsksTeacher(StageOptionValues.Read(options, stage.Options));

    public IReadOnlyList<StageFollower> Follow(PipelineContext context, StageOptions options) =>
        context.Mode != TeacherMode.DryRun && context.Pipeline.Inputs.TryGetValue("trajectories", out var trajectories)
        && stage.FollowerFor(Setup(context, StageOptionValues.Read(options, stage.Options), new Dictionary<string, string> { ["--input"] = trajectories })) is { } follower
            ? [follower]
            : [];

    public async Task<NodeResult> RunAsync(PipelineContext context, StageOptions options, CancellationToken cancellationToken)
    {
        var inputs = stage.Inputs.ToDictionary(i => i.Flag, i => i.Stage is { } required ? context.OutputOf(required).Path : context.Pipeline.Input("trajectories", Name));
        if (!stage.SplitsByItem && context.Shard is not null)
        {
            // The stage selects over all answers in request order, so its work does not split by item.
            return NodeResult.Blocked(Name, "not split by item: run it unsharded over the merged outputs");
        }

        var values = StageOptionValues.Read(options, stage.Options);
        var setup = Setup(context, values, inputs);
        if (context.Mode == TeacherMode.DryRun)
        {
            return await RunAsync(setup, context, cancellationToken);
        }

        // How the teacher is asked is part of the work only for a stage that asks it (a retried quarantine would use it).
        var teacher = stage.AsksTeacher(values) ? context.Session.SettingsFor(Name).ToString() : "";
        var stampPath = NodeStamp.PathBeside(setup.OutPath);
        Task<string> Fingerprint(IReadOnlyList<string> outputs) => setup.FingerprintAsync(Name, teacher, outputs, cancellationToken);
        if (await NodeStamp.HoldingAsync(stampPath, Fingerprint) is { } stamp)
        {
            return stamp.UpToDate(Name);
        }

        var errorsBefore = context.Problems.ErrorCount;
        var result = await RunAsync(setup, context, cancellationToken);
        var clean = result.Status == NodeStatus.Done && result.Problems == 0 && context.Problems.ErrorCount == errorsBefore;
        await NodeStamp.RecordAsync(stampPath, clean, result.Outputs, TeacherNodeResult.Resumed(result) ?? result.Summary, result.Stats, null, Fingerprint, cancellationToken);
        return result;
    }

    private StageSetup Setup(PipelineContext context, StageOptionValues values, IReadOnlyDictionary<string, string> inputs) => new()
    {
        Options = values,
        Inputs = inputs,
        OutPath = context.PathFor(stage.Output.FileName(values)),
        Problems = context.Problems,
        ReplaceInvalidUtf8 = context.Pipeline.ReplaceInvalidUtf8,
        TrajectoryFormat = context.Pipeline.Format,
        Shard = context.Shard,
        InPipeline = true,
        Follower = context.Followers.SingleOrDefault(),
    };

    private async Task<NodeResult> RunAsync(StageSetup setup, PipelineContext context, CancellationToken cancellationToken)
    {
        var job = await stage.OpenAsync(setup, cancellationToken);
        return await job.RunAsync(new StageRunContext(context.Session, context.Mode, context.Batch, context.Progress) { Feed = context.Feed }, cancellationToken);
    }
}
