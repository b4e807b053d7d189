using System.Diagnostics;
using PlanAct.Plans;
using PlanAct.Stages;
using PlanAct.Stages.Annotate;
using PlanAct.Stages.Classify;

namespace PlanAct.Pipeline.Nodes;

/// <summary>
/// classify: annotate's plans labelled with the failure class of their site they would help with (or Other), into
/// <c>labelled.jsonl</c>; augment seeds its requests from it. Not training data itself. Options: classes (required:
/// the failure classes YAML file).
/// </summary>
public sealed class ClassifyNode : IPipelineNode
{
    public string Name => ClassifyStage.StageName;

    public IReadOnlyList<string> Requires => [AnnotateStage.StageName];

    public bool YieldsTrainingData => false;

    public bool ReadsAllTrainingData => false;

    public void Check(StageOptions options) => Read(options);

    public string? ExpectedRequests(RunInput input, StageOptions options) => $"{input.Trajectories} requests (one per plan)";

    public async Task<NodeResult> RunAsync(PipelineContext context, StageOptions options, CancellationToken cancellationToken)
    {
        var plans = context.OutputOf(AnnotateStage.StageName);
        var clock = Stopwatch.StartNew();
        var outPath = context.PathFor("labelled.jsonl");
        var run = await new StageRunner<PlanRecord, PlanRecord>(new ClassifyStage(Read(options)), context.Session) { Shard = context.Shard }.RunAsync(
            () => PlanJsonl.ReadAsync(plans.Path, context.Problems, cancellationToken),
            outPath, context.Mode, context.Batch, context.Progress, cancellationToken);
        return TeacherNodeResult.Of(run, context.Mode, outPath, null, clock.Elapsed);
    }

    private static FailureClasses Read(StageOptions options)
    {
        options.OnlyThese("classes");
        return options.PathOf("classes") is { } path
            ? FailureClasses.Load(path)
            : throw options.Error("classes", "name the failure classes file (YAML; e.g. samples/failure-classes.yaml)");
    }
}
