namespace PlanAct.Teacher.Limits;

/// <summary>How the one retry layer retries: 429 with its Retry-After, 5xx, connection errors and timeouts.</summary>
internal sealed record RetryPolicy
{
    /// <summary>Total tries per request, the first included.</summary>
    public int MaxAttempts { get; init; } = 6;

    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Exponential backoff with full jitter: a random delay up to base·2^(attempt-1), capped.</summary>
    public TimeSpan Backoff(int attempt, Random random)
    {
        var ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
        return TimeSpan.FromMilliseconds(random.NextDouble() * ceiling);
    }
}
