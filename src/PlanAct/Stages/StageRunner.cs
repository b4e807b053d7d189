using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using PlanAct.IO;
using PlanAct.Teacher;
using PlanAct.Teacher.Batch;
using PlanAct.Teacher.Cost;

namespace PlanAct.Stages;

/// <summary>
/// Drives a teacher stage over its input: skips what the output already holds, processes the rest concurrently,
/// appends each record as it is made, writes the quarantine file, and finishes the output in input order. In batch
/// mode it repeats: a pass collects what the ledger cannot answer, the Batch API answers it into the ledger, and the
/// next pass goes further, until nothing is waiting. A dry run is one collecting pass that writes nothing. With a
/// shard, only the items of that shard are the run's items. A run that writes leaves its statistics beside the output
/// (<see cref="StageStats"/>); they count the whole output, items finished by earlier (even killed) runs included: an
/// item's rejected answers count once it is finished (an item deferred to a batch round is counted in the round that
/// finishes it), and those of items with a record are kept in the <see cref="RejectionJournal"/>.
/// </summary>
/// <remarks>
/// The run is four parts: <see cref="IndexAsync"/> (the items and their order), <see cref="PassAsync"/> (one
/// concurrent pass over the unfinished items), <see cref="RoundsAsync"/> (passes until nothing waits for the Batch
/// API) and <see cref="FinishAsync"/> (quarantine file, output order, statistics). Their common state is one
/// <see cref="StageRunState"/>. Deferral is an outcome the runner sees for itself: an item whose dialog held a request
/// back waits for the next pass, whatever the stage returned or caught (see <see cref="ITeacherStage{TIn,TOut}"/>).
/// </remarks>
internal sealed class StageRunner<TIn, TOut>(ITeacherStage<TIn, TOut> stage, TeacherSession session)
{
    /// <summary>Items a pass reads ahead of the ones it hands out at most, to find the longest chains (replan's trajectories).</summary>
    private const int HeldAhead = 256;

    /// <summary>This machine's part of the items (<c>--shard i/n</c>); all of them when null.</summary>
    public Shard? Shard { get; init; }

    /// <summary>
    /// Whether records of items that are not this run's are an earlier run's to drop when the output is finished (the
    /// answers file of a generation run, whose waves grow); otherwise such a record means the file is not this stage's
    /// output for this input, and it is refused untouched.
    /// </summary>
    public bool DropsRecordsOfOtherItems { get; init; }

    /// <summary>Gets each item with its record once the record is appended (a pipeline stage that another follows).</summary>
    public ItemFeed? Feed { get; init; }

    public async Task<StageSummary> RunAsync(
        Func<IAsyncEnumerable<TIn>> input,
        string outPath,
        TeacherMode mode,
        BatchRunner? batch = null,
        IProgress<StageProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        if (mode == TeacherMode.Batch && batch is null)
        {
            throw new ArgumentNullException(nameof(batch), "batch mode needs a batch executor");
        }

        var state = await IndexAsync(input, cancellationToken);
        await using var output = mode == TeacherMode.DryRun ? null : await ResumableJsonl.OpenAsync(outPath, (line, location) => IdOfRecord(state, line, location), cancellationToken);
        await using var journal = output is null ? null : await RejectionJournal.OpenAsync(outPath, state.Order.Where(output.Done.Contains), cancellationToken);
        state.Resume(output, journal);
        if (output is not null)
        {
            Feed?.Open(output.Done.Count);
        }

        var pending = await RoundsAsync(state, input, mode, batch, progress, cancellationToken);
        var dropped = output is null ? 0 : await FinishAsync(state, output, outPath, pending, cancellationToken);
        return new StageSummary(
            stage.Name,
            state.Order.Count,
            state.AlreadyDone,
            state.Ok,
            state.Quarantined.Count,
            [.. state.Skipped.Select(s => (s.Key, s.Value)).OrderBy(s => s.Key, StringComparer.Ordinal)],
            pending,
            [.. session.Meter.Lines().Where(l => l.Stage == stage.Name)],
            state.Stopped,
            dropped);
    }

    /// <summary>The run's items in input order (this shard's, first of each id); a repeated id is skipped.</summary>
    private async Task<StageRunState> IndexAsync(Func<IAsyncEnumerable<TIn>> input, CancellationToken cancellationToken)
    {
        var state = new StageRunState(stage.Name, session.Meter);
        await foreach (var item in input().WithCancellation(cancellationToken))
        {
            var id = stage.IdOf(item);
            if (Shard?.Contains(id) != false)
            {
                state.Add(id, stage.ChainOf(item));
            }
        }

        return state;
    }

    /// <summary>The id of a line of the output: a record of the stage's kind, for one of the run's items.</summary>
    private string IdOfRecord(StageRunState state, string line, SourceLocation location)
    {
        var id = stage.IdOfRecord(line, location);
        return DropsRecordsOfOtherItems || state.Position(id) != int.MaxValue
            ? id
            : throw new InputException(location, $"{stage.Name}'s record of \"{id}\", which is not an item of this input{(Shard is { } shard ? $" (shard {shard})" : "")}");
    }

    /// <summary>Passes over the items; in batch mode the Batch API answers each pass's held-back requests before the next.</summary>
    private async Task<List<PendingRequest>> RoundsAsync(
        StageRunState state, Func<IAsyncEnumerable<TIn>> input, TeacherMode mode, BatchRunner? batch, IProgress<StageProgress>? progress, CancellationToken cancellationToken)
    {
        while (true)
        {
            var pending = await PassAsync(state, input, mode, progress, cancellationToken);
            if (mode != TeacherMode.Batch || pending.Count == 0 || state.Stopped is not null)
            {
                return pending;
            }

            progress?.Report(state.Progress($"batch of {pending.Count} requests"));
            var phase = new SynchronousProgress<BatchProgress>(p => progress?.Report(state.Progress($"batch {p.BatchId} {p.Status}: {p.Completed}/{p.Total} done, {p.Failed} failed (round {p.Round})")));
            foreach (var (key, reason) in (await batch!.RunAsync(pending, phase, cancellationToken)).Failed)
            {
                state.FailedForGood[key] = reason;
            }
        }
    }

    /// <summary>One concurrent pass over the unfinished items; gives the requests held back for a teacher, in item order.</summary>
    private async Task<List<PendingRequest>> PassAsync(
        StageRunState state, Func<IAsyncEnumerable<TIn>> input, TeacherMode mode, IProgress<StageProgress>? progress, CancellationToken cancellationToken)
    {
        var collector = new PendingRequestCollector(state.FailedForGood);
        state.Waiting = 0;
        // A quarter more items than the teacher's slots (from four slots on): while an item turns an answer into its
        // next request (or ends, and the next item builds its first), another's request waits for that slot instead of
        // the slot standing empty. Each waiting request holds its worst-case cost against the budget, as a sent one.
        var concurrency = session.Limiter.Limits.Concurrency;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = concurrency + concurrency / 4, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(LongestFirstAsync(state, input(), cancellationToken), parallel, async (item, token) =>
        {
            if (state.IsOpen(item.Id))
            {
                await ProcessAsync(state, item.Id, item.Item, mode == TeacherMode.Online ? null : collector, token);
                progress?.Report(state.Progress());
            }
        });

        // Items finishing together report from their own threads, so the last report to arrive may be an earlier
        // snapshot; this one comes after all of them and is the pass's final count.
        progress?.Report(state.Progress());
        return [.. collector.Pending.OrderBy(r => state.Position(r.Request.Item.Split('/')[0])).ThenBy(r => r.Key, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The open items (first of each id), longest chain first: of the items read ahead, the one with the longest chain
    /// (the earliest of equals). It reads further while the longest chain still to hand out (the index knows it) is
    /// not among them, holding at most <see cref="HeldAhead"/> items; with chains of one it reads nothing ahead.
    /// </summary>
    private async IAsyncEnumerable<(string Id, TIn Item)> LongestFirstAsync(StageRunState state, IAsyncEnumerable<TIn> input, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var left = new SortedDictionary<int, int>(Comparer<int>.Create((a, b) => b.CompareTo(a)));
        foreach (var id in state.Order.Where(state.IsOpen))
        {
            left[state.ChainOf(id)] = left.GetValueOrDefault(state.ChainOf(id)) + 1;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var held = new PriorityQueue<(string Id, TIn Item), (int Chain, int Position)>(Comparer<(int Chain, int Position)>.Create((a, b) => a.Chain != b.Chain ? b.Chain.CompareTo(a.Chain) : a.Position.CompareTo(b.Position)));
        await using var items = input.GetAsyncEnumerator(cancellationToken);
        bool LongestNotHeld() => !held.TryPeek(out _, out var first) || (left.Count > 0 && first.Chain < left.First().Key);
        var more = true;
        while (true)
        {
            while (more && held.Count < HeldAhead && LongestNotHeld())
            {
                more = await items.MoveNextAsync();
                if (more && stage.IdOf(items.Current) is var id && state.IsOpen(id) && seen.Add(id))
                {
                    held.Enqueue((id, items.Current), (state.ChainOf(id), state.Position(id)));
                }
            }

            if (!held.TryDequeue(out var next, out var priority))
            {
                yield break;
            }

            if (left.TryGetValue(priority.Chain, out var count) && count > 1)
            {
                left[priority.Chain] = count - 1;
            }
            else
            {
                left.Remove(priority.Chain);
            }

            yield return next;
        }
    }

    /// <summary>One item: its record appended, or quarantined, skipped, waiting for a held-back request, or the budget's stop.</summary>
    private async Task ProcessAsync(StageRunState state, string id, TIn item, PendingRequestCollector? collector, CancellationToken token)
    {
        // This item's rejections (its steps may be asked concurrently); they count only once the item is finished.
        var rejected = new ConcurrentQueue<string>();
        var dressed = new ConcurrentQueue<IReadOnlyList<Dressing>>();
        var deferred = 0;
        var dialog = session.DialogFor(stage.Name, collector is null ? null : request =>
        {
            collector.Defer(request);
            Interlocked.Exchange(ref deferred, 1);
        }).ReportingRejectionsTo(rejected.Enqueue).ReportingNormalizedTo(dressed.Enqueue);
        ItemResult<TOut>? result = null;
        try
        {
            result = await stage.ProcessAsync(item, dialog, token);
        }
        catch (RequestDeferredException)
        {
            // Seen below through the dialog: a request of this item was held back.
        }
        catch (BudgetExceededException e)
        {
            state.Stop(e.Message);
            return;
        }

        if (Volatile.Read(ref deferred) == 1 || result is null)
        {
            // Whatever the stage made of the missing answer is not its result: the item waits for the next pass.
            state.Wait();
            return;
        }

        switch (result)
        {
            case ItemResult<TOut>.Done done:
                if (state.Output is not null)
                {
                    if (!rejected.IsEmpty)
                    {
                        await state.Journal!.AppendAsync(id, rejected, token);
                    }

                    await state.Output.AppendAsync(id, stage.Format(done.Output), token);
                    Feed?.Add(item!, done.Output!);
                }

                state.Finish();
                break;
            case ItemResult<TOut>.Quarantined q:
                state.Quarantined[id] = new QuarantineRecord(stage.Name, id, q.Reason, q.Attempts);
                break;
            case ItemResult<TOut>.Skipped s:
                state.Skipped[id] = s.Reason;
                break;
        }

        state.Rejections.AddAll(rejected);
        state.Normalized.Add(dressed);
    }

    /// <summary>Writes the quarantine file, puts a complete output in input order, and writes the statistics; gives the records dropped.</summary>
    private async Task<int> FinishAsync(StageRunState state, ResumableJsonl output, string outPath, IReadOnlyList<PendingRequest> pending, CancellationToken cancellationToken)
    {
        await QuarantineFile.WriteAsync(QuarantineFile.PathBeside(outPath), [.. state.Quarantined.Values.OrderBy(q => state.Position(q.Id))], cancellationToken);
        var dropped = state.Stopped is null && pending.Count == 0 ? await output.FinishAsync(state.Order, cancellationToken) : 0;
        var stats = new StageStats(
            stage.Name, state.Order.Count, state.AlreadyDone + state.Ok, state.Quarantined.Count, state.Skipped.Count, state.Rejections.Snapshot(),
            ReasonCounts.Of(state.Quarantined.Values.Select(q => q.Reason)).Snapshot(), ReasonCounts.Of(state.Skipped.Values).Snapshot(),
            session.Meter.Lines().Where(l => l.Stage == stage.Name).ToList(), state.Elapsed.TotalSeconds, Shard?.ToString())
        {
            Normalized = state.Normalized.Answers,
            NormalizedByDressing = state.Normalized.ByDressing.Snapshot(),
        };
        await StageStats.WriteAsync(StageStats.PathBeside(outPath), stats, cancellationToken);
        return dropped;
    }
}

/// <summary>
/// What one stage run knows while it runs: its items in order, the output it resumes, and what became of each item
/// so far. Shared by the runner's parts and read by every progress report.
/// </summary>
internal sealed class StageRunState(string stage, CostMeter meter)
{
    private readonly Dictionary<string, int> _position = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _chain = new(StringComparer.Ordinal);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _ok;
    private int _waiting;
    private string? _stopped;

    public List<string> Order { get; } = [];

    public ConcurrentDictionary<string, string> Skipped { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, QuarantineRecord> Quarantined { get; } = new(StringComparer.Ordinal);

    /// <summary>Requests the Batch API failed for good: asking them again fails the attempt instead of deferring.</summary>
    public ConcurrentDictionary<string, string> FailedForGood { get; } = new(StringComparer.Ordinal);

    public ReasonCounts Rejections { get; } = new();

    /// <summary>Answers of finished items that were read after taking off chat dressing, and which.</summary>
    public NormalizedCounts Normalized { get; } = new();

    /// <summary>The output being resumed; null in a dry run.</summary>
    public ResumableJsonl? Output { get; private set; }

    public RejectionJournal? Journal { get; private set; }

    /// <summary>Items whose record an earlier run wrote.</summary>
    public int AlreadyDone { get; private set; }

    public int Ok => Volatile.Read(ref _ok);

    /// <summary>Items of the current pass waiting for a held-back request.</summary>
    public int Waiting
    {
        get => Volatile.Read(ref _waiting);
        set => Volatile.Write(ref _waiting, value);
    }

    /// <summary>Why the run stopped early (the budget), or null.</summary>
    public string? Stopped => Volatile.Read(ref _stopped);

    public TimeSpan Elapsed => _clock.Elapsed;

    public void Add(string id, int chain)
    {
        if (_position.TryAdd(id, Order.Count))
        {
            Order.Add(id);
            _chain[id] = chain;
        }
        else
        {
            Skipped.TryAdd($"{id} (again)", "the id occurs more than once; only its first item is used");
        }
    }

    /// <summary>Picks up what an earlier run wrote: its records and the rejections counted on the way to them.</summary>
    public void Resume(ResumableJsonl? output, RejectionJournal? journal)
    {
        Output = output;
        Journal = journal;
        AlreadyDone = output is null ? 0 : Order.Count(output.Done.Contains);
        if (journal is not null)
        {
            Rejections.Add(journal.Earlier);
        }
    }

    /// <summary>Where an item stands in the input; items not in it last.</summary>
    public int Position(string id) => _position.GetValueOrDefault(id, int.MaxValue);

    /// <summary>The requests an item asks one after another (see <see cref="ITeacherStage{TIn,TOut}.ChainOf"/>); 1 for an item not in the input.</summary>
    public int ChainOf(string id) => _chain.GetValueOrDefault(id, 1);

    /// <summary>Whether the item is this run's and still to do (and the run not stopped).</summary>
    public bool IsOpen(string id) =>
        _position.ContainsKey(id) && Output?.Done.Contains(id) != true && !Quarantined.ContainsKey(id) && !Skipped.ContainsKey(id) && Stopped is null;

    public void Finish() => Interlocked.Increment(ref _ok);

    public void Wait() => Interlocked.Increment(ref _waiting);

    public void Stop(string why) => Interlocked.CompareExchange(ref _stopped, why, null);

    public StageProgress Progress(string? phase = null)
    {
        // This stage's requests only: other stages of a pipeline may be asking the same session at the same time.
        var lines = meter.Lines().Where(l => l.Stage == stage).ToList();
        return new StageProgress(
            stage, Order.Count, AlreadyDone, Ok, Quarantined.Count, Skipped.Count, Waiting, Elapsed,
            lines.Sum(l => l.Sent), lines.Sum(l => l.Reused), lines.Sum(l => l.InputTokens + l.OutputTokens), lines.Sum(l => l.Dollars ?? 0), phase);
    }
}
