using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace PlanAct.Pipeline;

/// <summary>
/// Threads of their own, below the operating system's priority of the rest of the process, for the nodes that ask no
/// teacher (act and dynamic-act without cot, export). A run waits on the teacher's slots: when an answer arrives, its
/// commit and the next request must not queue behind pages being rendered and counted, or the slots stand empty. On a
/// machine with cores to spare nothing changes; with none to spare the teacher's work goes first, and the lane takes
/// every cycle the teacher's work leaves. The lane is the <see cref="TaskScheduler"/> of the work it runs, so its awaits
/// come back to it (work started with <c>Task.Run</c> leaves it for the thread pool).
/// </summary>
internal sealed class LowPriorityLane : TaskScheduler, IDisposable
{
    /// <summary>The niceness of the lane's threads on Linux (0 is the default, 19 the lowest priority).</summary>
    public const int Niceness = 10;

    /// <summary>The name of the lane's threads (in a debugger, <c>top -H</c>, a profile).</summary>
    public const string ThreadName = "planact low priority";

    /// <summary>
    /// Threads of a pipeline's lane: more than the nodes and export files that run at once, so no node's next step
    /// waits in the lane's queue behind another's; the operating system shares the cores among them.
    /// </summary>
    public static readonly int PipelineThreads = Math.Max(8, 2 * Environment.ProcessorCount);

    private readonly BlockingCollection<Task> _queue = [];

    [ThreadStatic]
    private static bool t_onLane;

    public LowPriorityLane(int threads)
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

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => t_onLane && TryExecuteTask(task);

    protected override IEnumerable<Task> GetScheduledTasks() => _queue.ToArray();

    private void Work()
    {
        t_onLane = true;
        LowerThisThreadsPriority();
        foreach (var task in _queue.GetConsumingEnumerable())
        {
            TryExecuteTask(task);
        }
    }

    /// <summary>
    /// Linux sets a niceness per thread (raising it needs no privilege); Windows has thread priorities. Elsewhere
    /// (macOS would lower the whole process) the lane keeps the normal priority.
    /// </summary>
    private static void LowerThisThreadsPriority()
    {
        if (OperatingSystem.IsLinux())
        {
            // Best effort: a refusal (e.g. a seccomp profile) leaves the thread at the normal priority.
            _ = SetPriority(PriorityOfProcess, GetThreadId(), Niceness);
        }
        else if (OperatingSystem.IsWindows())
        {
            Thread.CurrentThread.Priority = ThreadPriority.BelowNormal;
        }
    }

    /// <summary><c>PRIO_PROCESS</c>: on Linux, with a thread id, that one thread.</summary>
    private const int PriorityOfProcess = 0;

    // DllImport rather than LibraryImport: blittable arguments need no generated marshalling, and no unsafe code.
    [DllImport("libc", EntryPoint = "setpriority")]
    private static extern int SetPriority(int which, int who, int priority);

    [DllImport("libc", EntryPoint = "gettid")]
    private static extern int GetThreadId();
}
