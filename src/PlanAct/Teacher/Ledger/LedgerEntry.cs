namespace PlanAct.Teacher.Ledger;

/// <summary>A committed teacher answer.</summary>
public sealed record LedgerEntry(
    string Key,
    string Text,
    string? Reasoning,
    string? FinishReason,
    long? InputTokens,
    long? OutputTokens,
    long LatencyMs,
    DateTimeOffset CreatedAt);
