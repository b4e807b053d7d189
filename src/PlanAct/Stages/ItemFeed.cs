using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace PlanAct.Stages;

/// <summary>
/// The items a teacher stage finishes in one pipeline run, each with its record, handed on as the stage appends them:
/// what a stage that follows it (<see cref="Catalogue.StageFollower"/>) works on while it runs. The stage's runner says
/// when it opens its output and how many records an earlier run had left there (those are never handed on); the
/// pipeline completes the feed when the stage's node has finished, whatever its outcome.
/// </summary>
internal abstract class ItemFeed
{
    private readonly TaskCompletionSource<int> _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// The records the stage's output held when its runner opened it (an earlier run's), once it has; -1 when the
    /// feed completed without a runner opening an output (the node was up to date, blocked or failed) or a second
    /// runner opened one.
    /// </summary>
    public Task<int> Opened => _opened.Task;

    /// <summary>One feed that hands everything on to each of <paramref name="feeds"/>: a stage followed by several.</summary>
    public static ItemFeed? Of(IReadOnlyList<ItemFeed> feeds) => feeds.Count switch
    {
        0 => null,
        1 => feeds[0],
        _ => new FanOut(feeds),
    };

    /// <summary>Called by the stage's runner when it has opened its output, holding <paramref name="earlier"/> records.</summary>
    public virtual void Open(int earlier)
    {
        if (!_opened.TrySetResult(earlier))
        {
            // One runner per feed: records of a second one would be handed on beside the first's.
            CompleteItems(new InvalidOperationException("a second stage runner opened the followed stage's output"));
        }
    }

    /// <summary>Called by the stage's runner once a record is appended to its output.</summary>
    public abstract void Add(object item, object record);

    /// <summary>No more items: the stage's node has finished, however it ended.</summary>
    public virtual void Complete()
    {
        _opened.TrySetResult(-1);
        CompleteItems(null);
    }

    protected abstract void CompleteItems(Exception? error);

    private sealed class FanOut(IReadOnlyList<ItemFeed> feeds) : ItemFeed
    {
        public override void Open(int earlier)
        {
            foreach (var feed in feeds)
            {
                feed.Open(earlier);
            }
        }

        public override void Add(object item, object record)
        {
            foreach (var feed in feeds)
            {
                feed.Add(item, record);
            }
        }

        public override void Complete()
        {
            foreach (var feed in feeds)
            {
                feed.Complete();
            }
        }

        protected override void CompleteItems(Exception? error)
        {
        }
    }
}

/// <summary>An <see cref="ItemFeed"/> of a stage whose items are <typeparamref name="TIn"/> and records <typeparamref name="TOut"/>.</summary>
/// <param name="keepsItems">Hands on the items too; without, only the records (an item may hold a whole trajectory, kept while it waits).</param>
internal sealed class ItemFeed<TIn, TOut>(bool keepsItems = true) : ItemFeed
{
    // Unbounded: a stage's runner never waits for its follower (the follower's work is a fraction of the teacher's
    // time). A blocking collection rather than a channel: its reader is a follower's own thread, woken directly.
    private readonly BlockingCollection<(TIn Item, TOut Record)> _items = [];
    private ExceptionDispatchInfo? _error;

    public override void Add(object item, object record)
    {
        if (item is TIn typedItem && record is TOut typedRecord)
        {
            try
            {
                _items.Add((keepsItems ? typedItem : default!, typedRecord));
            }
            catch (InvalidOperationException)
            {
                // The feed completed (its follower ended in an error): nobody reads on.
            }
        }
        else
        {
            // A follower that missed an item would prepare an incomplete result: it ends in an error instead.
            CompleteItems(new InvalidOperationException($"the followed stage hands on {item.GetType().Name} and {record.GetType().Name}, not {typeof(TIn).Name} and {typeof(TOut).Name}"));
        }
    }

    /// <summary>
    /// The finished items in the order they were appended, until the feed completes (then in an error if a second
    /// runner opened it, or the stage handed on items of another kind); the calling thread waits for each.
    /// </summary>
    public IEnumerable<(TIn Item, TOut Record)> ReadAll(CancellationToken cancellationToken)
    {
        foreach (var item in _items.GetConsumingEnumerable(cancellationToken))
        {
            yield return item;
        }

        Volatile.Read(ref _error)?.Throw();
    }

    protected override void CompleteItems(Exception? error)
    {
        if (error is not null)
        {
            Interlocked.CompareExchange(ref _error, ExceptionDispatchInfo.Capture(error), null);
        }

        _items.CompleteAdding();
    }
}
