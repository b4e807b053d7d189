using PlanAct.Stages.Generation;

namespace PlanAct.Pipeline.Nodes;

/// <summary>What the generation nodes (expand, augment) share.</summary>
internal static class GenerationNodes
{
    /// <summary>The pair filter options: decontaminate (query list files), similarity, max_page_tokens.</summary>
    public static PairFilterSettings Filter(StageOptions options) => new()
    {
        TestQueryFiles = options.PathsOf("decontaminate") ?? [],
        Similarity = options.Double("similarity", new PairFilterSettings().Similarity, above: 0, atMost: 1),
        MaxPageTokens = options.Int("max_page_tokens", PairFilterSettings.DefaultMaxPageTokens),
    };

    /// <summary>
    /// Generation selects pairs over all answers in request order, so its work does not split by item: a shard run
    /// leaves it to a run over the merged outputs.
    /// </summary>
    public static NodeResult NotSharded(string stage) =>
        NodeResult.Blocked(stage, "not split by item: run it without --shard over the merged outputs");
}
