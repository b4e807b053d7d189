using Microsoft.Extensions.AI;
using PlanAct.Teacher.Cost;
using PlanAct.Text;

namespace PlanAct.Teacher.Limits;

/// <summary>
/// Keeps sends within the limits: concurrency, requests per minute, tokens per minute, and the cost budget. A send
/// reserves its worst case (the prompt counted offline plus the output limit) and settles with the usage the provider
/// reports, which is also what the cost meter records. Sits under the retry layer, so every retry is limited and paid
/// for like a first try.
/// </summary>
internal sealed class RateLimitingChatClient(IChatClient inner, TeacherLimiter limiter, CostMeter meter, string model, TokenCounter counter)
    : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];

        // The offline count is needed before the send only to reserve (a token limit, a cost budget), and after it
        // only when the provider reports no usage: without those it is never made (it was a tenth of a send's CPU).
        long? counted = null;
        long Prompt() => counted ??= EstimatePromptTokens(list, counter);
        var output = options?.MaxOutputTokens ?? limiter.Limits.AssumedOutputTokens;
        using var budget = meter.Reserve(model, Prompt, output);
        if (limiter.Tokens is { } tokens)
        {
            await tokens.TakeAsync(Prompt() + output, cancellationToken);
        }

        if (limiter.Requests is { } requests)
        {
            await requests.TakeAsync(1, cancellationToken);
        }

        ChatResponse response;
        await limiter.Slots.WaitAsync(cancellationToken);
        try
        {
            response = await base.GetResponseAsync(list, options, cancellationToken);
        }
        finally
        {
            limiter.Slots.Release();
        }

        // Some local servers report no usage; then the offline counts stand in for it.
        var input = response.Usage?.InputTokenCount ?? Prompt();
        var produced = response.Usage?.OutputTokenCount ?? counter.Count(response.Text);
        limiter.Tokens?.Settle(input + produced - (Prompt() + output));
        meter.RecordSent(TeacherRequest.From(options).Stage, model, input, produced);
        return response;
    }

    /// <summary>A prompt's tokens: its messages plus a few tokens of framing each.</summary>
    public static long EstimatePromptTokens(IReadOnlyList<ChatMessage> messages, TokenCounter counter)
    {
        const int PerMessageOverhead = 4;
        long prompt = 3;
        foreach (var message in messages)
        {
            prompt += counter.Count(message.Text) + PerMessageOverhead;
        }

        return prompt;
    }
}
