using PlanAct.IO;

namespace PlanAct.Pipeline;

/// <summary>
/// The stages of a pipeline in an order that respects <see cref="IPipelineNode.Requires"/>; export goes after every
/// stage that yields training data. Ties keep the order of the registry, so a run reports its stages the same way every
/// time, though each node starts as soon as the nodes <see cref="Before"/> it have finished.
/// </summary>
internal static class PipelineGraph
{
    public static IReadOnlyList<IPipelineNode> Order(PipelineDefinition pipeline, PipelineRegistry registry)
    {
        var location = new SourceLocation(pipeline.Path);
        var chosen = new List<IPipelineNode>();
        foreach (var (stage, options) in pipeline.Stages)
        {
            var node = registry.Find(stage) ?? throw new InputException(location, $"stages.{stage}: unknown stage (known: {string.Join(", ", registry.Nodes.Select(n => n.Name))})");
            node.Check(options);
            chosen.Add(node);
        }

        var names = chosen.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var node in chosen)
        {
            if (node.Requires.FirstOrDefault(r => !names.Contains(r)) is { } missing)
            {
                throw new InputException(location, $"stages.{node.Name} needs stage {missing}: add it to stages:");
            }
        }

        var ordered = new List<IPipelineNode>();
        var placed = new HashSet<string>(StringComparer.Ordinal);
        var rank = registry.Nodes.Select((n, i) => (n.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        var waiting = chosen.OrderBy(n => rank[n.Name]).ToList();
        while (waiting.Count > 0)
        {
            var next = waiting.FirstOrDefault(n => Before(n, chosen).All(placed.Contains))
                ?? throw new InputException(location, $"stages form a cycle: {string.Join(", ", waiting.Select(n => n.Name))}");
            ordered.Add(next);
            placed.Add(next.Name);
            waiting.Remove(next);
        }

        return ordered;
    }

    /// <summary>What must finish before <paramref name="node"/> starts: its requirements, and for a reader of all training data every stage that yields some.</summary>
    public static IEnumerable<string> Before(IPipelineNode node, IReadOnlyList<IPipelineNode> chosen) =>
        node.ReadsAllTrainingData ? node.Requires.Concat(chosen.Where(n => n.YieldsTrainingData).Select(n => n.Name)) : node.Requires;
}
