using PlanAct.Html;
using PlanAct.Teacher.Limits;

namespace PlanAct.Teacher.Cost;

/// <summary>What one stage's requests on one model would cost: prompts counted offline, outputs at their limit.</summary>
public sealed record CostEstimateLine(string Stage, string Model, int Requests, long InputTokens, long OutputTokens, decimal? Online, decimal? Batch);

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
}
