using System.Text.Json.Serialization;
using PlanAct.Teacher.Limits;
using PlanAct.Text;

namespace PlanAct.Teacher.Cost;

/// <summary>
/// What one stage's requests on one model would cost: prompts counted offline, outputs at their limit; dollars at online
/// prices and through the Batch API (the table's batch discount applied), both null when the model has no price.
/// </summary>
internal sealed record CostEstimateLine(string Stage, string Model, int Requests, long InputTokens, long OutputTokens, decimal? Online, decimal? Batch)
{
    /// <summary>When no model is configured: the same tokens priced at each of <see cref="CostEstimate.CommonModels"/>.</summary>
    public IReadOnlyList<ModelCost>? AtCommonModels { get; init; }
}

/// <summary>What some requests would cost on one model, online and through the Batch API (null: no price).</summary>
internal sealed record ModelCost(string Model, decimal? Online, decimal? Batch);

/// <summary>
/// The estimate over all lines: the priced lines summed online and batched (null when no line has a price), and the
/// models left out of both sums because they have no price (named, never counted as free).
/// </summary>
internal sealed record CostEstimateTotal(int Requests, long InputTokens, long OutputTokens, decimal? Online, decimal? Batch, IReadOnlyList<string> UnpricedModels)
{
    /// <summary>The requests of no configured model, priced at each common model (empty when every stage names a model).</summary>
    public IReadOnlyList<ModelCost> AtCommonModels { get; init; } = [];

    /// <summary>What the sums leave out, in words (null when every model is priced).</summary>
    [JsonIgnore]
    public string? Unpriced => UnpricedModels.Count == 0
        ? null
        : $"no price for {string.Join(", ", UnpricedModels.Select(m => $"\"{m}\""))}, so {(Online is null ? "there is no total" : "the total leaves its requests out")}";
}

/// <summary>The dry-run estimate: requests that would be sent, grouped by stage and model, priced online and batched.</summary>
internal static class CostEstimate
{
    /// <summary>The models a dry run without a configured model prices its requests for, so there is an estimate to go by.</summary>
    public static IReadOnlyList<string> CommonModels { get; } = ["gpt-4o-mini", "gpt-4.1-mini", "gpt-4o"];

    public static IReadOnlyList<CostEstimateLine> Of(IEnumerable<PendingRequest> requests, PriceTable prices, int assumedOutputTokens) =>
        [.. requests
            .GroupBy(r => (r.Request.Stage, r.Model))
            .OrderBy(g => g.Key.Stage, StringComparer.Ordinal).ThenBy(g => g.Key.Model, StringComparer.Ordinal)
            .Select(g =>
            {
                var counter = TokenCounter.ForModel(g.Key.Model);
                var input = g.Sum(r => RateLimitingChatClient.EstimatePromptTokens(r.Messages, counter));
                var output = g.Sum(r => (long)(r.Options?.MaxOutputTokens ?? assumedOutputTokens));
                return new CostEstimateLine(
                    g.Key.Stage, g.Key.Model, g.Count(), input, output,
                    prices.Cost(g.Key.Model, input, output), prices.Cost(g.Key.Model, input, output, batch: true))
                {
                    AtCommonModels = g.Key.Model == TeacherSession.UnconfiguredModel
                        ? [.. CommonModels.Select(m => new ModelCost(m, prices.Cost(m, input, output), prices.Cost(m, input, output, batch: true)))]
                        : null,
                };
            })];

    public static CostEstimateTotal Total(IReadOnlyList<CostEstimateLine> lines)
    {
        var priced = lines.Where(l => l.Online is not null).ToList();
        return new CostEstimateTotal(
            lines.Sum(l => l.Requests),
            lines.Sum(l => l.InputTokens),
            lines.Sum(l => l.OutputTokens),
            priced.Count > 0 ? priced.Sum(l => l.Online!.Value) : null,
            priced.Count > 0 ? priced.Sum(l => l.Batch!.Value) : null,
            [.. lines.Where(l => l.Online is null).Select(l => l.Model).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)])
        {
            AtCommonModels =
            [
                .. lines.SelectMany(l => l.AtCommonModels ?? []).GroupBy(c => c.Model, StringComparer.Ordinal)
                    .Select(g => new ModelCost(g.Key, Sum(g.Select(c => c.Online)), Sum(g.Select(c => c.Batch)))),
            ],
        };
    }

    /// <summary>The sum, or null when any part has no price.</summary>
    private static decimal? Sum(IEnumerable<decimal?> values) => values.Aggregate((decimal?)0m, (sum, v) => sum + v);

    /// <summary>The common-model prices in words: "gpt-4o-mini $0.01 online, $0.005 batch; …".</summary>
    public static string DescribeCommonModels(IReadOnlyList<ModelCost> costs, Func<decimal?, string> dollars) =>
        string.Join("; ", costs.Select(c => $"{c.Model} {dollars(c.Online)} online, {dollars(c.Batch)} batch"));
}
