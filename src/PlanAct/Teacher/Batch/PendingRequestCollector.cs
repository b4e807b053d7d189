using System.Collections.Concurrent;
using PlanAct.Teacher.Limits;

namespace PlanAct.Teacher.Batch;

/// <summary>
/// The <see cref="Ledger.LedgerChatClient.Defer"/> handler of a batch-mode stage pass: gathers ledger misses (once
/// per key, from any number of concurrent items) for the next batch, and fails at once the requests an earlier cycle
/// gave up on, so their items are quarantined instead of waiting forever.
/// </summary>
internal sealed class PendingRequestCollector(IReadOnlyDictionary<string, string>? failed = null)
{
    private readonly ConcurrentDictionary<string, PendingRequest> _pending = new(StringComparer.Ordinal);

    public void Defer(PendingRequest request)
    {
        if (failed is not null && failed.TryGetValue(request.Key, out var reason))
        {
            throw new TeacherFailureException($"the Batch API gave no usable answer: {reason}");
        }

        _pending.TryAdd(request.Key, request);
    }

    public IReadOnlyCollection<PendingRequest> Pending => [.. _pending.Values];
}
