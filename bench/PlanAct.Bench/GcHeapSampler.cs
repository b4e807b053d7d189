namespace PlanAct.Bench;

/// <summary>Polls the managed heap size after the latest garbage collection and keeps the largest value seen.</summary>
internal sealed class GcHeapSampler : IDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(20);

    private readonly Lock _lock = new();
    private readonly Timer _timer;
    private long _peak;

    public GcHeapSampler() => _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, Period);

    public long PeakHeapBytes
    {
        get
        {
            lock (_lock)
            {
                return _peak;
            }
        }
    }

    public void Sample()
    {
        var heap = GC.GetGCMemoryInfo(GCKind.Any).HeapSizeBytes;
        lock (_lock)
        {
            _peak = Math.Max(_peak, heap);
        }
    }

    public void Dispose() => _timer.Dispose();
}

/// <summary>What a measured span used: wall time, the process's peak working set, the peak managed heap, bytes allocated.</summary>
internal sealed record SpanFootprint(double Seconds, long PeakWorkingSet, long PeakHeapBytes, long AllocatedBytes);

/// <summary>
/// One measured span of a child-process benchmark: it starts from a collected heap (so earlier setup does not count),
/// samples the heap while it runs, and <see cref="Stop"/> gives its footprint.
/// </summary>
internal sealed class MeasuredSpan : IDisposable
{
    private readonly long _allocatedBefore;
    private readonly GcHeapSampler _heap;
    private readonly System.Diagnostics.Stopwatch _clock;

    private MeasuredSpan()
    {
        _allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        _heap = new GcHeapSampler();
        _clock = System.Diagnostics.Stopwatch.StartNew();
    }

    public static MeasuredSpan Start()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return new MeasuredSpan();
    }

    public SpanFootprint Stop()
    {
        _clock.Stop();
        _heap.Sample();
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return new SpanFootprint(_clock.Elapsed.TotalSeconds, process.PeakWorkingSet64, _heap.PeakHeapBytes, GC.GetTotalAllocatedBytes(precise: true) - _allocatedBefore);
    }

    public void Dispose() => _heap.Dispose();
}
