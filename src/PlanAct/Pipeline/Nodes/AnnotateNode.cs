using System.Diagnostics;
using PlanAct.Plans;
using PlanAct.Stages;
using PlanAct.Stages.Annotate;
using PlanAct.Trajectories;

namespace PlanAct.Pipeline.Nodes;

/// <summary>
/// annotate: plans for <c>inputs.trajectories</c>, into <c>plans.jsonl</c> (grounded) or <c>plans.cot.jsonl</c> (CoT: the
/// outputs differ, so switching modes never mixes them). Options: mode (grounded, cot), max_page_tokens,
/// describe_page_tokens, examples.
/// </summary>
public sealed class AnnotateNode : IPipelineNode
{

    public string Name => AnnotateStage.StageName;

    public IReadOnlyList<string> Requires => [];

    public bool YieldsTrainingData => true;

    public bool ReadsAllTrainingData => false;

    public void Check(StageOptions options) => Read(options);

    public string? ExpectedRequests(RunInput input, StageOptions options) => Read(options).Mode == AnnotateMode.Cot
        ? $"{input.Steps + (2 * input.Trajectories)} requests (one per action, then two per trajectory)"
        : $"{input.Trajectories} requests (one per trajectory)";

    public async Task<NodeResult> RunAsync(PipelineContext context, StageOptions options, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var input = context.Pipeline.Input("trajectories", Name);
        var settings = Read(options);
        var outPath = context.PathFor(settings.Mode == AnnotateMode.Cot ? "plans.cot.jsonl" : "plans.jsonl");
        var stage = new AnnotateStage(settings, context.Session.ModelFor(Name));
        var run = await new StageRunner<Trajectory, PlanRecord>(stage, context.Session) { Shard = context.Shard }.RunAsync(
            () => TrajectoryFiles.ReadAsync(input, new TrajectoryReadOptions { Problems = context.Problems }, cancellationToken),
            outPath, context.Mode, context.Batch, context.Progress, cancellationToken);
        return TeacherNodeResult.Of(run, context.Mode, outPath, "planner", clock.Elapsed);
    }

    private static AnnotateOptions Read(StageOptions options)
    {
        options.OnlyThese("mode", "max_page_tokens", "describe_page_tokens", "examples");
        var defaults = new AnnotateOptions();
        return new AnnotateOptions
        {
            Mode = options.String("mode") switch
            {
                null or "grounded" => AnnotateMode.Grounded,
                "cot" => AnnotateMode.Cot,
                var other => throw options.Error("mode", $"\"{other}\" is not grounded or cot"),
            },
            MaxPageTokens = options.Int("max_page_tokens", defaults.MaxPageTokens),
            DescribePageTokens = options.Int("describe_page_tokens", defaults.DescribePageTokens),
            Examples = options.PathOf("examples") is { } path ? AnnotationExamples.Load(path) : AnnotationExamples.BuiltIn,
        };
    }
}
