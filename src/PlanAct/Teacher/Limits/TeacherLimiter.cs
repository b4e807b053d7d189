namespace PlanAct.Teacher.Limits;

/// <summary>
/// The shared state of the limits: one per teacher endpoint, so stages on different models of the same account
/// draw from the same concurrency slots, request rate and token rate.
/// </summary>
internal sealed class TeacherLimiter : IDisposable
{
    public TeacherLimiter(TeacherLimits limits, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limits.Concurrency);
        Limits = limits;
        Slots = new SemaphoreSlim(limits.Concurrency, limits.Concurrency);
        Requests = limits.RequestsPerMinute is { } rpm ? new TokenBucket(rpm, time) : null;
        Tokens = limits.TokensPerMinute is { } tpm ? new TokenBucket(tpm, time) : null;
    }

    public TeacherLimits Limits { get; }

    public SemaphoreSlim Slots { get; }

    public TokenBucket? Requests { get; }

    public TokenBucket? Tokens { get; }

    public void Dispose()
    {
        Slots.Dispose();
        Requests?.Dispose();
        Tokens?.Dispose();
    }
}
