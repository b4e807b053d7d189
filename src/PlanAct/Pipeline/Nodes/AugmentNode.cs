using System.Diagnostics;
using PlanAct.Stages.Augment;
using PlanAct.Stages.Classify;
using PlanAct.Stages.Generation;

namespace PlanAct.Pipeline.Nodes;

/// <summary>
/// augment: one new pair from every plan classify labelled with a failure class, into <c>targeted.jsonl</c> (beside
/// it the answers, the rejected pairs and the selection report); export makes planner examples of them. Options:
/// decontaminate, similarity, max_page_tokens.
/// </summary>
public sealed class AugmentNode : IPipelineNode
{
    public string Name => AugmentPrompts.StageName;

    public IReadOnlyList<string> Requires => [ClassifyStage.StageName];

    public bool YieldsTrainingData => true;

    public bool ReadsAllTrainingData => false;

    public void Check(StageOptions options) => Read(options);

    public string? ExpectedRequests(RunInput input, StageOptions options) => $"at most {input.Trajectories} requests (one per plan labelled with a failure class)";

    public async Task<NodeResult> RunAsync(PipelineContext context, StageOptions options, CancellationToken cancellationToken)
    {
        var labelled = context.OutputOf(ClassifyStage.StageName);
        if (context.Shard is not null)
        {
            return GenerationNodes.NotSharded(Name);
        }

        var clock = Stopwatch.StartNew();
        var outPath = context.PathFor("targeted.jsonl");
        var job = await AugmentJob.LoadAsync(labelled.Path, Read(options), context.Problems, cancellationToken);
        var result = await job.RunAsync(context.Session, outPath, context.Mode, context.Batch, context.Progress, cancellationToken);
        return TeacherNodeResult.Of(result, context.Mode, outPath, "targeted-planner", clock.Elapsed);
    }

    private static PairFilterSettings Read(StageOptions options)
    {
        options.OnlyThese("decontaminate", "similarity", "max_page_tokens");
        return GenerationNodes.Filter(options);
    }
}
