using System.Collections.Frozen;
using PlanAct.IO;
using YamlDotNet.Core;

namespace PlanAct.Teacher.Cost;

/// <summary>The price of one model in US dollars per million tokens.</summary>
internal sealed record ModelPrice(decimal Input, decimal Output)
{
    public decimal Of(long inputTokens, long outputTokens) => ((inputTokens * Input) + (outputTokens * Output)) / 1_000_000m;
}

/// <summary>
/// Teacher prices: defaults for common OpenAI models (<c>prices.yaml</c> beside this class), overridable from YAML.
/// A model matches its own name or the longest listed name that prefixes it, so dated snapshots share a price.
/// </summary>
internal sealed class PriceTable
{
    private readonly FrozenDictionary<string, ModelPrice> _models;

    public PriceTable(IReadOnlyDictionary<string, ModelPrice> models, decimal batchDiscount)
    {
        if (batchDiscount is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(batchDiscount), batchDiscount, "the batch discount is the share billed, between 0 and 1");
        }

        _models = models.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        BatchDiscount = batchDiscount;
    }

    public static PriceTable Default { get; } = Parse(EmbeddedText.Read(typeof(PriceTable), "prices.yaml"), "prices.yaml", baseTable: null);

    /// <summary>The share of the online price the Batch API bills.</summary>
    public decimal BatchDiscount { get; }

    public IReadOnlyDictionary<string, ModelPrice> Models => _models;

    public ModelPrice? Find(string model)
    {
        if (_models.TryGetValue(model, out var exact))
        {
            return exact;
        }

        // Azure deployments and servers often prefix the vendor ("openai/gpt-4o"); price the last segment.
        var name = model[(model.LastIndexOf('/') + 1)..];
        return _models
            .Where(p => name.StartsWith(p.Key, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(p => p.Key.Length)
            .Select(p => p.Value)
            .FirstOrDefault();
    }

    /// <summary>Dollars for the tokens, or null when the model has no price.</summary>
    public decimal? Cost(string model, long inputTokens, long outputTokens, bool batch = false) =>
        Find(model)?.Of(inputTokens, outputTokens) * (batch ? BatchDiscount : 1m);

    /// <summary>This table with the models and discount of a YAML price table on top.</summary>
    public PriceTable With(string yaml, string source) => Parse(yaml, source, this);

    internal PriceTable With(PriceSection section, string source) => Merge(section, source, this);

    private static PriceTable Parse(string yaml, string source, PriceTable? baseTable)
    {
        PriceSection file;
        try
        {
            file = Yaml.Reader.Deserialize<PriceSection?>(yaml) ?? new PriceSection();
        }
        catch (YamlException e)
        {
            throw Yaml.Error(e, source, "not a valid price table");
        }

        return Merge(file, source, baseTable);
    }

    private static PriceTable Merge(PriceSection file, string source, PriceTable? baseTable)
    {
        var models = new Dictionary<string, ModelPrice>(baseTable?.Models ?? new Dictionary<string, ModelPrice>(), StringComparer.OrdinalIgnoreCase);
        foreach (var (name, price) in file.Models ?? [])
        {
            if (price?.Input is not { } input || price.Output is not { } output || input < 0 || output < 0)
            {
                throw new InputException(new SourceLocation(source, null), $"model \"{name}\" needs non-negative input and output prices (dollars per million tokens)");
            }

            models[name] = new ModelPrice(input, output);
        }

        return new PriceTable(models, file.BatchDiscount ?? baseTable?.BatchDiscount ?? 0.5m);
    }

}

/// <summary>The YAML shape of a price table (also the <c>prices:</c> section of a configuration).</summary>
internal sealed class PriceSection
{
    public decimal? BatchDiscount { get; set; }

    public Dictionary<string, PriceEntry?>? Models { get; set; }

    internal sealed class PriceEntry
    {
        public decimal? Input { get; set; }

        public decimal? Output { get; set; }
    }
}
