namespace PlanAct.Bench;

/// <summary>Polls the managed heap size after the latest garbage collection and keeps the largest value seen.</summary>
public sealed class GcHeapSampler : IDisposable
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
