using Microsoft.Extensions.AI;
using PlanAct.Teacher.Cost;
using PlanAct.Teacher.Ledger;
using PlanAct.Teacher.Limits;
using PlanAct.Text;

namespace PlanAct.Teacher;

/// <summary>
/// PlanAct's layers as <see cref="ChatClientBuilder"/> steps, so the teacher stack reads as one pipeline (the first
/// step added is the outermost): ledger → retry → limits and budget → telemetry → provider.
/// </summary>
internal static class TeacherChatClientBuilderExtensions
{
    /// <summary>Answers from the ledger when it can; otherwise sends on (or defers), commits, then returns.</summary>
    public static ChatClientBuilder UseLedger(this ChatClientBuilder builder, TeacherLedger ledger, string model, bool refresh, CostMeter meter, Action<PendingRequest>? defer) =>
        builder.Use(inner => new LedgerChatClient(inner, ledger, model, refresh) { Defer = defer, Meter = meter });

    /// <summary>The one retry layer: shared cool-down after a 429, backoff with jitter for transient failures.</summary>
    public static ChatClientBuilder UseRetry(this ChatClientBuilder builder, RetryPolicy policy, TimeProvider time) =>
        builder.Use(inner => new RetryingChatClient(inner, policy, time));

    /// <summary>Concurrency, requests and tokens per minute, and the cost budget, for every attempt that is sent.</summary>
    public static ChatClientBuilder UseTeacherLimits(this ChatClientBuilder builder, TeacherLimiter limiter, CostMeter meter, string model) =>
        builder.Use(inner => new RateLimitingChatClient(inner, limiter, meter, model, TokenCounter.ForModel(model)));

    /// <summary>One span per attempt that reaches the provider, GenAI conventions, no message content.</summary>
    public static ChatClientBuilder UseTeacherTelemetry(this ChatClientBuilder builder) =>
        builder.UseOpenTelemetry(sourceName: TeacherTelemetry.Name);
}
