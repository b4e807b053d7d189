using System.Globalization;
using PlanAct.IO;
using PlanAct.Pipeline;

namespace PlanAct.Tests.Pipeline;

/// <summary>The lane the nodes without a teacher run on: its threads, their priority, and what reaches the caller.</summary>
public class CpuWorkLaneTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(1);

    private static bool OnLane => Thread.CurrentThread.Name == CpuWorkLane.ThreadName;

    [Fact]
    public async Task Work_and_what_follows_its_awaits_run_on_the_lane()
    {
        using var lane = new CpuWorkLane(2);

        var seen = await lane.RunAsync(
            async () =>
            {
                var first = OnLane;
                await Task.Delay(20);
                var afterDelay = OnLane;
                await Task.Yield();
                return (first, afterDelay, afterYield: OnLane);
            },
            CancellationToken.None).WaitAsync(Bound);

        Assert.Equal((true, true, true), seen);
        Assert.False(OnLane);
    }

    [Fact]
    public async Task Consumers_the_work_starts_run_on_the_lane_too()
    {
        using var lane = new CpuWorkLane(2);
        Func<IAsyncEnumerable<int>, Task<(int Sum, bool OnLane)>> consumer = async items =>
        {
            var sum = 0;
            var onLane = true;
            await foreach (var item in items)
            {
                sum += item;
                onLane &= OnLane;
            }

            return (sum, onLane);
        };

        var results = await lane.RunAsync(
            () => AsyncFanOut.ShareAsync(Enumerable.Range(1, 500).ToAsyncEnumerable(), [consumer, consumer, consumer], CancellationToken.None),
            CancellationToken.None).WaitAsync(Bound);

        Assert.All(results, r => Assert.Equal((125250, true), r));
    }

    [Fact]
    public async Task A_failure_and_a_cancellation_reach_the_caller()
    {
        using var lane = new CpuWorkLane(1);
        using var cancel = new CancellationTokenSource();

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => lane.RunAsync<int>(
            async () =>
            {
                await Task.Yield();
                throw new InvalidOperationException("scripted");
            },
            CancellationToken.None).WaitAsync(Bound));
        var cancelled = lane.RunAsync(
            async () =>
            {
                await cancel.CancelAsync();
                await Task.Delay(Timeout.Infinite, cancel.Token);
                return 0;
            },
            CancellationToken.None);

        Assert.Equal("scripted", failure.Message);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Bound));
        Assert.True(cancelled.IsCanceled);
    }

    [Fact]
    public async Task On_Linux_its_threads_keep_the_priority_of_the_rest_of_the_process()
    {
        // A lower one would pass to the threads the thread pool creates from the lane's and to processes started there.
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var lane = new CpuWorkLane(1);
        var normal = await Task.Run(ThisThreadsNiceness);

        var onLane = await lane.RunAsync(() => Task.FromResult(ThisThreadsNiceness()), CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(normal, onLane);
    }

    /// <summary>Field 19 of <c>/proc/thread-self/stat</c>, counted after the command name (which may hold spaces).</summary>
    private static int ThisThreadsNiceness()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[19 - 3], CultureInfo.InvariantCulture);
    }
}
