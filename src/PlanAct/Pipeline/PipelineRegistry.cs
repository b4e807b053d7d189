using PlanAct.Pipeline.Nodes;

namespace PlanAct.Pipeline;

/// <summary>
/// The stages a pipeline file may name. A new stage is one <see cref="IPipelineNode"/> added here; the registry's order
/// breaks ties in the run order.
/// </summary>
public sealed class PipelineRegistry(IReadOnlyList<IPipelineNode> nodes)
{
    public static PipelineRegistry Default { get; } = new([new AnnotateNode(), new ActNode(), new ExpandNode(), new ClassifyNode(), new AugmentNode(), new ReplanNode(), new DynamicActNode(), new ExportNode()]);

    public IReadOnlyList<IPipelineNode> Nodes { get; } = nodes;

    public IPipelineNode? Find(string name) => Nodes.FirstOrDefault(n => string.Equals(n.Name, name, StringComparison.Ordinal));
}
