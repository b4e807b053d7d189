using System.Diagnostics;
using PlanAct.Stages.Annotate;
using PlanAct.Stages.Expand;

namespace PlanAct.Pipeline.Nodes;

/// <summary>
/// expand: synthetic plans from annotate's plans as seeds, into <c>synthetic.jsonl</c> (beside it the answers, the
/// rejected pairs and the selection report); export makes planner examples of them. Options: count (required),
/// per_request, seeds, sites, max_requests, seed, decontaminate, similarity, max_page_tokens.
/// </summary>
public sealed class ExpandNode : IPipelineNode
{
    public string Name => ExpandPrompts.StageName;

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

        if (context.Shard is not null)
        {
            return GenerationNodes.NotSharded(Name);
        }

        var clock = Stopwatch.StartNew();
        var outPath = context.PathFor("synthetic.jsonl");
        var job = await ExpandJob.LoadAsync(plans.Path, Read(options), context.Problems, cancellationToken);
        var result = await job.RunAsync(context.Session, outPath, context.Mode, context.Batch, context.Progress, cancellationToken);
        return TeacherNodeResult.Of(result, context.Mode, outPath, "synthetic-planner", clock.Elapsed);
    }

    private static ExpandOptions Read(StageOptions options)
    {
        options.OnlyThese("count", "per_request", "seeds", "sites", "max_requests", "seed", "decontaminate", "similarity", "max_page_tokens");
        if (options.String("count") is null)
        {
            throw options.Error("count", "say how many synthetic plans to accept");
        }

        var defaults = new ExpandOptions { Count = 1 };
        return new ExpandOptions
        {
            Count = options.Int("count", 0),
            PerRequest = options.Int("per_request", defaults.PerRequest),
            SeedsPerRequest = options.Int("seeds", defaults.SeedsPerRequest),
            Sites = options.Strings("sites"),
            MaxRequests = options.String("max_requests") is null ? null : options.Int("max_requests", 0),
            RandomSeed = options.Int("seed", 0, min: int.MinValue),
            Filter = GenerationNodes.Filter(options),
        };
    }
}
