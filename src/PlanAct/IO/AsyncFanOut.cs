using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace PlanAct.IO;

/// <summary>
/// One pass over a stream for several consumers: each reads every item in order, at its own pace, through a bounded
/// buffer of its own (so the source is read once and never held whole). A consumer that fails stops the pass: the
/// others see their stream end in an error, and the first failure is what the caller sees.
/// </summary>
internal static class AsyncFanOut
{
    /// <summary>Items a consumer may lag behind the source before the source waits for it.</summary>
    private const int Buffer = 64;

    /// <summary>Runs every consumer over <paramref name="source"/>, read once; gives their results in order.</summary>
    public static async Task<IReadOnlyList<TResult>> ShareAsync<T, TResult>(
        IAsyncEnumerable<T> source, IReadOnlyList<Func<IAsyncEnumerable<T>, Task<TResult>>> consumers, CancellationToken cancellationToken)
    {
        if (consumers.Count == 1)
        {
            return [await consumers[0](source)];
        }

        var channels = consumers.Select(_ => Channel.CreateBounded<T>(new BoundedChannelOptions(Buffer) { SingleReader = true, SingleWriter = true })).ToList();
        // On the caller's scheduler (the thread pool, or the pipeline's CPU work lane), not always the pool's.
        var readers = consumers.Select((consume, i) => Task.Factory.StartNew(
            async () =>
            {
                try
                {
                    return await consume(channels[i].Reader.ReadAllAsync(cancellationToken));
                }
                finally
                {
                    // A consumer that stopped reading, failed or not, must not leave the source waiting on its buffer.
                    channels[i].Writer.TryComplete();
                }
            },
            cancellationToken,
            TaskCreationOptions.DenyChildAttach,
            TaskScheduler.Current).Unwrap()).ToList();

        Exception? sourceFailure = null;
        try
        {
            await foreach (var item in source.WithCancellation(cancellationToken))
            {
                foreach (var channel in channels)
                {
                    await channel.Writer.WriteAsync(item, cancellationToken);
                }
            }
        }
        catch (Exception e)
        {
            sourceFailure = e;
        }

        foreach (var channel in channels)
        {
            channel.Writer.TryComplete(sourceFailure);
        }

        await Task.WhenAll(readers).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        if (sourceFailure is not null and not ChannelClosedException)
        {
            ExceptionDispatchInfo.Throw(sourceFailure);
        }

        // The consumer that failed first by itself, rather than one whose stream was closed because of it.
        if (readers.Where(r => !r.IsCompletedSuccessfully).OrderBy(r => r.Exception?.InnerException is ChannelClosedException ? 1 : 0).FirstOrDefault() is { } failed)
        {
            await failed;
        }

        return sourceFailure is null
            ? [.. readers.Select(r => r.Result)]
            : throw new InvalidOperationException("a consumer stopped reading before the end of the stream");
    }
}
