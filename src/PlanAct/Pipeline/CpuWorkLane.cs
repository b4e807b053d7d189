using System.Collections.Concurrent;

namespace PlanAct.Pipeline;

/// <summary>
/// Threads of their own, one per core, for the pipeline's work that asks no teacher (act and dynamic-act without cot,
/// export). A run waits on the teacher's slots: when an answer arrives, its commit and the next request run on the
/// thread pool, and must not queue there behind pages being rendered and counted in work items that take hundreds of
/// milliseconds, or the slots stand empty. On threads of its own that work leaves the pool to the teacher, and the
/// operating system shares the cores (a thread that mostly waits, as the teacher's do, gets its turn as soon as it
/// wakes). The lane is the <see cref="TaskScheduler"/> of the work it runs, so its awaits come back to it (work started
/// with <c>Task.Run</c> leaves it for the thread pool).
/// </summary>
/// <remarks>
/// One thread per core, as many as the work can use: more would only take turns, and crowd out other processes on the
/// machine. The normal priority: a lower one (a niceness) would pass to every thread the thread pool happens to create
/// from the lane's, and to every process started from them.
/// </remarks>
internal sealed class CpuWorkLane : TaskScheduler, IDisposable
{
    /// <summary>The name of the lane's threads (in a debugger, <c>top -H</c>, a profile).</summary>
    public const string ThreadName = "planact cpu work";

    private readonly BlockingCollection<Task> _queue = [];

    /// <summary>The lane whose thread this is (pipelines side by side in one process each have their own).</summary>
    [ThreadStatic]
    private static CpuWorkLane? t_lane;

    public CpuWorkLane(int threads)
    {
        for (var i = 0; i < threads; i++)
        {
            new Thread(Work) { IsBackground = true, Name = ThreadName }.Start();
        }
    }

    /// <summary>Runs <paramref name="work"/> on the lane; its result, failure or cancellation is the task's.</summary>
    public Task<T> RunAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(work, cancellationToken, TaskCreationOptions.DenyChildAttach, this).Unwrap();

    /// <summary>Lets the threads end once the queue is empty; a task queued after that runs on the thread pool.</summary>
    public void Dispose() => _queue.CompleteAdding();

    protected override void QueueTask(Task task)
    {
        if (!_queue.IsAddingCompleted)
        {
            try
            {
                _queue.Add(task);
                return;
            }
            catch (InvalidOperationException)
            {
                // Disposed between the check and the add.
            }
        }

        ThreadPool.UnsafeQueueUserWorkItem(_ => TryExecuteTask(task), null);
    }

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => t_lane == this && TryExecuteTask(task);

    protected override IEnumerable<Task> GetScheduledTasks() => _queue.ToArray();

    private void Work()
    {
        t_lane = this;
        foreach (var task in _queue.GetConsumingEnumerable())
        {
            TryExecuteTask(task);
        }
    }
}
