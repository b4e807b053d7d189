namespace PlanAct.Teacher.Limits;

/// <summary>
/// A bucket refilled continuously at <c>capacity</c> per minute, which may go into debt: a request reserves an
/// estimate up front and settles the difference once its real usage is known, so a burst of underestimated requests
/// slows the ones after it instead of overrunning the provider's limit. Waiters are served in arrival order.
/// </summary>
internal sealed class TokenBucket : IDisposable
{
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _queue = new(1, 1);
    private readonly Lock _gate = new();
    private readonly double _perSecond;
    private double _available;
    private long _updatedTicks;

    public TokenBucket(long perMinute, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perMinute);
        _time = time ?? TimeProvider.System;
        Capacity = perMinute;
        _perSecond = perMinute / 60.0;
        _available = perMinute;
        _updatedTicks = _time.GetTimestamp();
    }

    public long Capacity { get; }

    /// <summary>What is in the bucket now (negative while in debt).</summary>
    public double Available
    {
        get
        {
            lock (_gate)
            {
                Refill();
                return _available;
            }
        }
    }

    /// <summary>Waits until <paramref name="amount"/> (at most the capacity) can be taken, then takes it.</summary>
    public async Task TakeAsync(long amount, CancellationToken cancellationToken)
    {
        var wanted = Math.Min(Math.Max(amount, 0), Capacity);
        await _queue.WaitAsync(cancellationToken);
        try
        {
            while (true)
            {
                TimeSpan wait;
                lock (_gate)
                {
                    Refill();
                    if (_available >= wanted)
                    {
                        _available -= wanted;
                        return;
                    }

                    wait = TimeSpan.FromSeconds((wanted - _available) / _perSecond);
                }

                await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait, _time, cancellationToken);
            }
        }
        finally
        {
            _queue.Release();
        }
    }

    /// <summary>Takes (positive) or gives back (negative) the difference between an estimate and real usage.</summary>
    public void Settle(long difference)
    {
        lock (_gate)
        {
            Refill();
            _available = Math.Min(Capacity, _available - difference);
        }
    }

    private void Refill()
    {
        var now = _time.GetTimestamp();
        var elapsed = _time.GetElapsedTime(_updatedTicks, now).TotalSeconds;
        _updatedTicks = now;
        _available = Math.Min(Capacity, _available + (elapsed * _perSecond));
    }

    public void Dispose() => _queue.Dispose();
}
