namespace PlanAct.Stages;

/// <summary>
/// Reports on the calling thread. <see cref="Progress{T}"/> posts to the thread pool, which reorders updates and can
/// run one after its command has returned and closed the console it writes to.
/// </summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
