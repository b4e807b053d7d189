using PlanAct.Pipeline.Nodes;
using PlanAct.Stages.Catalogue;

namespace PlanAct.Pipeline;

/// <summary>
/// The stages a pipeline file may name: a node for every stage of the catalogue, and export, which reads the
/// training data of all of them. The registry's order breaks ties in the run order.
/// </summary>
internal sealed class PipelineRegistry(IReadOnlyList<IPipelineNode> nodes)
{
    public static PipelineRegistry Default { get; } = Of(StageCatalogue.Default);

    public IReadOnlyList<IPipelineNode> Nodes { get; } = nodes;

    public static PipelineRegistry Of(StageCatalogue catalogue) => new([.. catalogue.Stages.Select(s => new StageNode(s)), new ExportNode()]);

    public IPipelineNode? Find(string name) => Nodes.FirstOrDefault(n => string.Equals(n.Name, name, StringComparison.Ordinal));
}
