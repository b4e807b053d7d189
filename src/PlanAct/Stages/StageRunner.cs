using System.Collections.Concurrent;
using System.Diagnostics;
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
public sealed class StageRunner<TIn, TOut>(ITeacherStage<TIn, TOut> stage, TeacherSession session)
{
    /// <summary>This machine's part of the items (<c>--shard i/n</c>); all of them when null.</summary>
    public Shard? Shard { get; init; }

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

        var clock = Stopwatch.StartNew();
        var order = new List<string>();
        var position = new Dictionary<string, int>(StringComparer.Ordinal);
        var skipped = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        await foreach (var item in input().WithCancellation(cancellationToken))
        {
            var id = stage.IdOf(item);
            if (Shard?.Contains(id) == false)
            {
                continue;
            }

            if (!position.TryAdd(id, order.Count))
            {
                skipped.TryAdd($"{id} (again)", "the id occurs more than once; only its first item is used");
                continue;
            }

            order.Add(id);
        }

        await using var output = mode == TeacherMode.DryRun ? null : await ResumableJsonl.OpenAsync(outPath, cancellationToken);
        var alreadyDone = output is null ? 0 : order.Count(output.Done.Contains);
        await using var journal = output is null ? null : await RejectionJournal.OpenAsync(outPath, order.Where(output.Done.Contains), cancellationToken);
        var quarantined = new ConcurrentDictionary<string, QuarantineRecord>(StringComparer.Ordinal);
        var failedForGood = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var ok = 0;
        var rejections = new ReasonCounts();
        var normalized = new NormalizedCounts();
        if (journal is not null)
        {
            rejections.Add(journal.Earlier);
        }

        string? stopped = null;
        List<PendingRequest> pending;
        while (true)
        {
            var collector = new PendingRequestCollector(failedForGood);
            var dialog = session.DialogFor(stage.Name, mode == TeacherMode.Online ? null : collector.Defer);
            var started = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
            var waiting = 0;
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = session.Limiter.Limits.Concurrency, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(input(), parallel, async (item, token) =>
            {
                var id = stage.IdOf(item);
                if (!position.ContainsKey(id) || !started.TryAdd(id, true) || output?.Done.Contains(id) == true || quarantined.ContainsKey(id) || skipped.ContainsKey(id) || Volatile.Read(ref stopped) is not null)
                {
                    return;
                }

                // This item's rejections (its steps may be asked concurrently); they count only once the item is finished.
                var rejected = new ConcurrentQueue<string>();
                var dressed = new ConcurrentQueue<IReadOnlyList<Dressing>>();
                try
                {
                    switch (await stage.ProcessAsync(item, dialog.ReportingRejectionsTo(rejected.Enqueue).ReportingNormalizedTo(dressed.Enqueue), token))
                    {
                        case ItemResult<TOut>.Done done:
                            if (output is not null)
                            {
                                if (!rejected.IsEmpty)
                                {
                                    await journal!.AppendAsync(id, rejected, token);
                                }

                                await output.AppendAsync(id, stage.Format(done.Output), token);
                            }

                            Interlocked.Increment(ref ok);
                            break;
                        case ItemResult<TOut>.Quarantined q:
                            quarantined[id] = new QuarantineRecord(stage.Name, id, q.Reason, q.Attempts);
                            break;
                        case ItemResult<TOut>.Skipped s:
                            skipped[id] = s.Reason;
                            break;
                    }

                    foreach (var reason in rejected)
                    {
                        rejections.Add(reason);
                    }

                    normalized.Add(dressed);
                }
                catch (RequestDeferredException)
                {
                    Interlocked.Increment(ref waiting);
                }
                catch (BudgetExceededException e)
                {
                    Interlocked.CompareExchange(ref stopped, e.Message, null);
                }

                progress?.Report(Progress(order.Count, alreadyDone, ok, quarantined.Count, skipped.Count, waiting, clock.Elapsed, null));
            });

            pending = [.. collector.Pending.OrderBy(r => position.GetValueOrDefault(r.Request.Item.Split('/')[0], int.MaxValue)).ThenBy(r => r.Key, StringComparer.Ordinal)];
            if (mode != TeacherMode.Batch || pending.Count == 0 || stopped is not null)
            {
                break;
            }

            progress?.Report(Progress(order.Count, alreadyDone, ok, quarantined.Count, skipped.Count, waiting, clock.Elapsed, $"batch of {pending.Count} requests"));
            var phase = new Progress<BatchProgress>(p => progress?.Report(Progress(
                order.Count, alreadyDone, ok, quarantined.Count, skipped.Count, waiting, clock.Elapsed, $"batch {p.BatchId} {p.Status}: {p.Completed}/{p.Total} done, {p.Failed} failed (round {p.Round})")));
            foreach (var (key, reason) in (await batch!.RunAsync(pending, phase, cancellationToken)).Failed)
            {
                failedForGood[key] = reason;
            }
        }

        var dropped = 0;
        if (output is not null)
        {
            await QuarantineFile.WriteAsync(QuarantineFile.PathBeside(outPath), [.. quarantined.Values.OrderBy(q => position[q.Id])], cancellationToken);
            if (stopped is null && pending.Count == 0)
            {
                dropped = await output.FinishAsync(order, cancellationToken);
            }

            await WriteStatsAsync(outPath, order.Count, alreadyDone + ok, quarantined.Values, skipped, rejections, normalized, clock.Elapsed, cancellationToken);
        }

        return new StageSummary(
            stage.Name,
            order.Count,
            alreadyDone,
            ok,
            quarantined.Count,
            [.. skipped.Select(s => (s.Key, s.Value)).OrderBy(s => s.Key, StringComparer.Ordinal)],
            pending,
            session.Meter.Lines(),
            stopped,
            dropped);
    }

    private async Task WriteStatsAsync(
        string outPath, int total, int ok, IEnumerable<QuarantineRecord> quarantined, IReadOnlyDictionary<string, string> skipped,
        ReasonCounts rejections, NormalizedCounts normalized, TimeSpan elapsed, CancellationToken cancellationToken)
    {
        var quarantineReasons = new ReasonCounts();
        var quarantinedCount = 0;
        foreach (var record in quarantined)
        {
            quarantineReasons.Add(record.Reason);
            quarantinedCount++;
        }

        var skipReasons = new ReasonCounts();
        foreach (var reason in skipped.Values)
        {
            skipReasons.Add(reason);
        }

        var stats = new StageStats(
            stage.Name, total, ok, quarantinedCount, skipped.Count, rejections.Snapshot(), quarantineReasons.Snapshot(), skipReasons.Snapshot(),
            session.Meter.Lines().Where(l => l.Stage == stage.Name).ToList(), elapsed.TotalSeconds, Shard?.ToString())
        {
            Normalized = normalized.Answers,
            NormalizedByDressing = normalized.ByDressing.Snapshot(),
        };
        await StageStats.WriteAsync(StageStats.PathBeside(outPath), stats, cancellationToken);
    }

    private StageProgress Progress(int total, int alreadyDone, int ok, int quarantined, int skipped, int waiting, TimeSpan elapsed, string? phase)
    {
        var lines = session.Meter.Lines();
        return new StageProgress(
            stage.Name, total, alreadyDone, ok, quarantined, skipped, waiting, elapsed,
            lines.Sum(l => l.Sent), lines.Sum(l => l.Reused), lines.Sum(l => l.InputTokens + l.OutputTokens), lines.Sum(l => l.Dollars ?? 0), phase);
    }
}
