using PlanAct.Teacher.Ledger;

namespace PlanAct.Teacher.Cost;

/// <summary>
/// What the teacher requests behind a set of records cost, priced from the ledger's real token usage: batch answers at
/// the batch price, models without a price counted in tokens but not in dollars.
/// </summary>
/// <param name="Dollars">The priced total.</param>
/// <param name="Requests">Requests found in the ledger with an answer.</param>
/// <param name="InputTokens">Their prompt tokens.</param>
/// <param name="OutputTokens">Their answer tokens.</param>
/// <param name="Batched">How many were answered through the Batch API.</param>
/// <param name="NotInLedger">Requests the records name that the ledger does not hold (another ledger, or deleted).</param>
/// <param name="UnpricedModels">Models with no price in the table, whose requests are not in <paramref name="Dollars"/>.</param>
internal sealed record RecordsCost(decimal Dollars, int Requests, long InputTokens, long OutputTokens, int Batched, int NotInLedger, IReadOnlyList<string> UnpricedModels)
{
    public static async Task<RecordsCost> OfAsync(TeacherLedger ledger, IReadOnlyCollection<string> keys, PriceTable prices, CancellationToken cancellationToken = default)
    {
        var usage = await ledger.UsageAsync(keys, cancellationToken);
        var dollars = 0m;
        var unpriced = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var request in usage)
        {
            if (prices.Cost(request.Model, request.InputTokens, request.OutputTokens, request.Batch) is { } cost)
            {
                dollars += cost;
            }
            else
            {
                unpriced.Add(request.Model);
            }
        }

        return new RecordsCost(
            dollars, usage.Count, usage.Sum(u => u.InputTokens), usage.Sum(u => u.OutputTokens), usage.Count(u => u.Batch), keys.Count - usage.Count, [.. unpriced]);
    }
}
