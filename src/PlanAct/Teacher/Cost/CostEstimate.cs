using System.Text.Json.Serialization;
using PlanAct.Teacher.Limits;
using PlanAct.Text;

namespace PlanAct.Teacher.Cost;

/// <summary>
/// What one stage's requests on one model would cost: prompts counted offline, outputs at their limit; dollars at online
/// prices and through the Batch API (the table's batch discount applied), both null when the model has no price.
/// </summary>
public sealed record CostEstimateLine(string Stage, string Model, int Requests, long InputTokens, long OutputTokens, decimal? Online, decimal? Batch);

/// <summary>
/// The estimate over all lines: the priced lines summed online and batched (null when no line has a price), and the
/// models left out of both sums because they have no price (named, never counted as free).
/// </summary>
public sealed record CostEstimateTotal(int Requests, long InputTokens, long OutputTokens, decimal? Online, decimal? Batch, IReadOnlyList<string> UnpricedModels)
{
    /// <summary>What the sums leave out, in words (null when every model is priced).</summary>
    [JsonIgnore]
    public string? Unpriced => UnpricedModels.Count == 0
        ? null
        : $"no price for {string.Join(", ", UnpricedModels.Select(m => $"\"{m}\""))}, so {(Online is null ? "there is no total" : "the total leaves its requests out")}";
}

/// <summary>The dry-run estimate: requests that would be sent, grouped by stage and model, priced online and batched.</summary>
public static class CostEstimate
{
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
                    prices.Cost(g.Key.Model, input, output), prices.Cost(g.Key.Model, input, output, batch: true));
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
            [.. lines.Where(l => l.Online is null).Select(l => l.Model).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);
    }
}
