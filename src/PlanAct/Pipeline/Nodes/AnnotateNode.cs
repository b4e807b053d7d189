using System.Diagnostics;
using PlanAct.Plans;
using PlanAct.Stages;
using PlanAct.Stages.Annotate;
using PlanAct.Trajectories;

namespace PlanAct.Pipeline.Nodes;

/// <summary>annotate: grounded plans for <c>inputs.trajectories</c> into <c>plans.jsonl</c>. Options: max_page_tokens, examples.</summary>
public sealed class AnnotateNode : IPipelineNode
{
    public const string Output = "plans.jsonl";

    public string Name => AnnotateStage.StageName;

    public IReadOnlyList<string> Requires => [];

    public bool YieldsTrainingData => true;

    public bool ReadsAllTrainingData => false;

    public void Check(StageOptions options) => Read(options);

    public async Task<NodeResult> RunAsync(PipelineContext context, StageOptions options, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var input = context.Pipeline.Input("trajectories", Name);
        var outPath = context.PathFor(Output);
        var stage = new AnnotateStage(Read(options), context.Session.ModelFor(Name));
        var run = await new StageRunner<Trajectory, PlanRecord>(stage, context.Session).RunAsync(
            () => TrajectoryFiles.ReadAsync(input, new TrajectoryReadOptions { Problems = context.Problems }, cancellationToken),
            outPath, context.Mode, context.Batch, context.Shard, context.Progress, cancellationToken);
        return TeacherNodeResult.Of(run, context.Mode, outPath, "planner", clock.Elapsed);
    }

    private static AnnotateOptions Read(StageOptions options)
    {
        options.OnlyThese("max_page_tokens", "examples");
        var defaults = new AnnotateOptions();
        return new AnnotateOptions
        {
            MaxPageTokens = options.Int("max_page_tokens", defaults.MaxPageTokens),
            Examples = options.PathOf("examples") is { } path ? AnnotationExamples.Load(path) : AnnotationExamples.BuiltIn,
        };
    }
}
