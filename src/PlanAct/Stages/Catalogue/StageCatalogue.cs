namespace PlanAct.Stages.Catalogue;

/// <summary>
/// The stages there are: every <see cref="StageDefinition"/> of this library (found by type, so a new stage needs no
/// list to be edited), in <see cref="StageDefinition.Rank"/> order. Tests and tools register more with <see cref="With"/>.
/// </summary>
internal sealed class StageCatalogue
{
    private StageCatalogue(IEnumerable<StageDefinition> stages)
    {
        Stages = [.. stages.OrderBy(s => s.Rank).ThenBy(s => s.Name, StringComparer.Ordinal)];
        if (Stages.GroupBy(s => s.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new InvalidOperationException($"two stages are named {twice.Key}");
        }
    }

    public static StageCatalogue Default { get; } = new(
        typeof(StageDefinition).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(StageDefinition)) && !t.IsAbstract && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (StageDefinition)Activator.CreateInstance(t)!));

    public IReadOnlyList<StageDefinition> Stages { get; }

    /// <summary>This catalogue with more stages.</summary>
    public StageCatalogue With(params StageDefinition[] stages) => new([.. Stages, .. stages]);

    public StageDefinition? Find(string name) => Stages.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal));
}
