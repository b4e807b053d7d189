using System.Diagnostics;
using PlanAct.Plans;
using PlanAct.Stages;
using PlanAct.Stages.Act;
using PlanAct.Stages.Annotate;
using PlanAct.Stages.Replan;
using PlanAct.Trajectories;

namespace PlanAct.Pipeline.Nodes;

/// <summary>
/// replan: a replan for every round of every annotated trajectory, from the trajectories and annotate's plans, into
/// <c>replans.jsonl</c> (<c>replans.cot.jsonl</c> with <c>cot: true</c>); export makes replanner examples of it.
/// Options: cot, max_page_tokens.
/// </summary>
public sealed class ReplanNode : IPipelineNode
{
    public string Name => ReplanStage.StageName;

    public IReadOnlyList<string> Requires => [AnnotateStage.StageName];

    public bool YieldsTrainingData => true;

    public bool ReadsAllTrainingData => false;

    public void Check(StageOptions options) => Read(options);

    public async Task<NodeResult> RunAsync(PipelineContext context, StageOptions options, CancellationToken cancellationToken)
    {
        if (context.OutputOf(AnnotateStage.StageName) is not { } plans)
        {
            return NodeResult.Blocked(Name, $"waits for {AnnotateStage.StageName} to finish");
        }

        var clock = Stopwatch.StartNew();
        var input = context.Pipeline.Input("trajectories", Name);
        var settings = Read(options);
        var outPath = context.PathFor(settings.Cot ? "replans.cot.jsonl" : "replans.jsonl");
        var pairing = await PlanPairing.LoadPlansAsync(plans.Path, context.Problems, cancellationToken);
        var stage = new ReplanStage(settings, context.Session.ModelFor(Name));
        var run = await new StageRunner<PlannedTrajectory, ReplanRecord>(stage, context.Session) { Shard = context.Shard }.RunAsync(
            () => pairing.PairPlansAsync(TrajectoryFiles.ReadAsync(input, new TrajectoryReadOptions { Problems = context.Problems }, cancellationToken), input, context.Problems, cancellationToken),
            outPath, context.Mode, context.Batch, context.Progress, cancellationToken);
        return TeacherNodeResult.Of(run, context.Mode, outPath, "replanner", clock.Elapsed);
    }

    private static ReplanOptions Read(StageOptions options)
    {
        options.OnlyThese("cot", "max_page_tokens");
        return new ReplanOptions { Cot = options.Bool("cot", false), MaxPageTokens = options.Int("max_page_tokens", new ReplanOptions().MaxPageTokens) };
    }
}
