using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace PlanAct.Teacher.Ledger;

/// <summary>
/// A chat-client layer that answers from the <see cref="TeacherLedger"/> when it can and otherwise sends the request
/// on, commits the answer, and only then returns it. With <paramref name="refresh"/> it sends again and overwrites.
/// </summary>
internal sealed class LedgerChatClient(IChatClient inner, TeacherLedger ledger, string defaultModel, bool refresh = false) : DelegatingChatClient(inner)
{
    /// <summary>
    /// When set, a request the ledger cannot answer is handed here instead of being sent, and the caller gets a
    /// <see cref="RequestDeferredException"/> (batch mode, dry runs). The handler may throw instead, e.g. a
    /// <see cref="Limits.TeacherFailureException"/> for a request the Batch API already failed for good.
    /// </summary>
    public Action<PendingRequest>? Defer { get; init; }

    /// <summary>Counts answers served from the ledger (they cost nothing in this run).</summary>
    public Cost.CostMeter? Meter { get; init; }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        var request = TeacherRequest.From(options);
        var model = options?.ModelId ?? defaultModel;
        var (key, json) = RequestKey.Compute(model, options, list, request);
        if (!refresh && await ledger.FindAsync(key, cancellationToken) is { } saved)
        {
            Meter?.RecordReused(request.Stage, model);
            return ToResponse(saved, model, fromLedger: true);
        }

        if (Defer is { } defer)
        {
            var pending = new PendingRequest(key, request, model, list, TeacherRequest.WithoutContext(options));
            defer(pending);
            throw new RequestDeferredException(pending);
        }

        // The send record goes to disk with the next group commit; it need not be there before the request goes out.
        // The JSON is the ledger's from here: not held for the answer's whole wait, which would carry it into gen 2.
        var recorded = ledger.RecordSendAsync(key, request, model, json);
        json = null;
        var clock = Stopwatch.StartNew();
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(list, options, cancellationToken);
        }
        finally
        {
            await recorded;
        }

        var entry = LedgerEntry.From(key, response, clock.ElapsedMilliseconds);
        await ledger.CommitAsync(entry);
        return ToResponse(entry, response.ModelId ?? model, fromLedger: false);
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // A streamed answer is committed whole, so streaming is served from a complete response.
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    private static ChatResponse ToResponse(LedgerEntry entry, string model, bool fromLedger) => new(new ChatMessage(ChatRole.Assistant, entry.Text))
    {
        ModelId = model,
        FinishReason = entry.FinishReason is { } finish ? new ChatFinishReason(finish) : null,
        Usage = new UsageDetails { InputTokenCount = entry.InputTokens, OutputTokenCount = entry.OutputTokens, TotalTokenCount = entry.InputTokens + entry.OutputTokens },
        CreatedAt = entry.CreatedAt,
        AdditionalProperties = new()
        {
            [TeacherRequest.RequestIdProperty] = entry.Key,
            [TeacherRequest.FromLedgerProperty] = fromLedger,
            [TeacherRequest.ReasoningProperty] = entry.Reasoning,
        },
    };
}
