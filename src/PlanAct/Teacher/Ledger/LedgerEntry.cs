using Microsoft.Extensions.AI;

namespace PlanAct.Teacher.Ledger;

/// <summary>A committed teacher answer.</summary>
internal sealed record LedgerEntry(
    string Key,
    string Text,
    string? Reasoning,
    string? FinishReason,
    long? InputTokens,
    long? OutputTokens,
    long LatencyMs,
    DateTimeOffset CreatedAt)
{
    /// <summary>The entry for a provider's answer, online or from a batch: answer and reasoning apart, finish reason and usage.</summary>
    public static LedgerEntry From(string key, ChatResponse response, long latencyMs)
    {
        var (answer, reasoning) = TeacherAnswer.Read(response);
        return new LedgerEntry(
            key,
            answer,
            reasoning,
            response.FinishReason?.Value,
            response.Usage?.InputTokenCount,
            response.Usage?.OutputTokenCount,
            latencyMs,
            DateTimeOffset.UtcNow);
    }
}
