namespace PlanAct.Stages.Catalogue;

/// <summary>
/// Work a stage does in a pipeline run on the items another stage finishes, while that stage runs (from the
/// <see cref="ItemFeed"/> it fills), so that its own run, once that stage is done, has less left to do: dynamic-act
/// builds each trajectory's examples as replan finishes it, on cores the teacher's waiting leaves idle. The stage's run
/// uses what was prepared only when it is complete (the followed stage started from an empty output and handed on
/// every record it wrote); otherwise it does all the work itself, as without a follower.
/// </summary>
internal abstract class StageFollower(string stage, ItemFeed feed) : IAsyncDisposable
{
    private Task<bool>? _preparing;

    /// <summary>The stage followed.</summary>
    public string Stage => stage;

    public ItemFeed Feed => feed;

    /// <summary>
    /// Where what this follower makes goes on to, item by item, as it makes it: the feed of the nodes that follow its
    /// own node (export follows what dynamic-act builds while following replan); null when none does.
    /// </summary>
    protected ItemFeed? Onward { get; private set; }

    /// <summary>Sets <see cref="Onward"/>, before <see cref="Start"/>.</summary>
    public void HandOnTo(ItemFeed? onward) => Onward = onward;

    /// <summary>Starts preparing (once) on <paramref name="scheduler"/>, as the run starts: the preparation waits for the followed stage to open its output.</summary>
    public void Start(TaskScheduler scheduler, CancellationToken cancellationToken) =>
        _preparing ??= Task.Factory.StartNew(() => PrepareOrNotAsync(cancellationToken), cancellationToken, TaskCreationOptions.DenyChildAttach, scheduler).Unwrap();

    /// <summary>Whether everything was prepared: false when it never started, or could not be (then the stage does all its work itself).</summary>
    public Task<bool> PreparedAsync() => _preparing ?? Task.FromResult(false);

    /// <summary>
    /// Prepares from <see cref="Feed"/> until it completes; gives whether what was prepared is complete. Called once,
    /// when the followed stage starts.
    /// </summary>
    protected abstract Task<bool> PrepareAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> (a loop over <see cref="Feed"/>) on a thread of its own: the thread pool's threads
    /// carry the teacher's answers to the stages, and a follower's long stretches of CPU work must not hold them up.
    /// </summary>
    protected Task OnOwnThreadAsync(Action work)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                work();
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = $"planact follows {Stage}",
        };
        thread.Start();
        return done.Task;
    }

    /// <summary>Releases what was prepared (its files).</summary>
    protected abstract ValueTask ReleaseAsync();

    public async ValueTask DisposeAsync()
    {
        Feed.Complete();
        await PreparedAsync();
        await ReleaseAsync();
    }

    private async Task<bool> PrepareOrNotAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await PrepareAsync(cancellationToken))
            {
                return true;
            }
        }
        catch (Exception)
        {
            // Only a head start is lost: the stage's own run reads its inputs and meets any real problem there itself.
        }

        // Nobody reads the feed any more: what the stage still hands on is dropped, not kept for the rest of its run.
        Feed.Complete();
        return false;
    }
}
