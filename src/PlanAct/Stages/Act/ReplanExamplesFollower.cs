using System.Buffers;
using System.Text.Json;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Stages.Catalogue;
using PlanAct.Stages.Replan;
using PlanAct.Training;
using PlanAct.Trajectories;

namespace PlanAct.Stages.Act;

/// <summary>
/// dynamic-act (without cot) following replan in a pipeline run: each trajectory's examples are built from the
/// trajectory and replan record replan has in hand as it finishes them, and kept in a spool file beside the output.
/// Once replan is done, the trajectories are read once more for what pairing needs (ids, actions, input problems),
/// without their pages, and dynamic-act pairs those with the records exactly as it pairs the files and writes the
/// spooled lines in input order, instead of reading both files and building every example after replan.
/// </summary>
internal sealed class ReplanExamplesFollower : StageFollower
{
    private readonly ItemFeed<PlannedTrajectory, ReplanRecord> _feed;
    private readonly Func<ProblemLog, IAsyncEnumerable<Trajectory>> _trajectories;
    private readonly string _trajectoriesPath;
    private readonly string _spoolPath;
    private readonly ProblemLog _problems;

    // The reading's problems, kept apart until dynamic-act's run, so they count in it as when it reads the file itself.
    private readonly ProblemLog _readingProblems;
    private readonly ExecutorExamples _builder;
    private readonly List<Trajectory> _outlines = [];
    private readonly List<ReplanRecord> _records = [];
    private readonly Dictionary<string, (long Start, long Length, int Examples)> _spooled = new(StringComparer.Ordinal);
    private Spool? _spool;

    /// <param name="trajectories">A pass over the trajectories as dynamic-act reads them (its shard's), its problems to the log given.</param>
    /// <param name="trajectoriesPath">Names trajectories that carry no location of their own.</param>
    /// <param name="outPath">dynamic-act's output: the spool is beside it.</param>
    /// <param name="pages">The examples' page budget.</param>
    /// <param name="problems">dynamic-act's problem log: the reading's problems go there when it writes.</param>
    public ReplanExamplesFollower(Func<ProblemLog, IAsyncEnumerable<Trajectory>> trajectories, string trajectoriesPath, string outPath, ExamplePageOptions pages, ProblemLog problems)
        : this(new ItemFeed<PlannedTrajectory, ReplanRecord>(), trajectories, trajectoriesPath, outPath, pages, problems)
    {
    }

    private ReplanExamplesFollower(
        ItemFeed<PlannedTrajectory, ReplanRecord> feed, Func<ProblemLog, IAsyncEnumerable<Trajectory>> trajectories, string trajectoriesPath, string outPath, ExamplePageOptions pages, ProblemLog problems)
        : base(ReplanStage.StageName, feed)
    {
        _feed = feed;
        _trajectories = trajectories;
        _trajectoriesPath = trajectoriesPath;
        _spoolPath = outPath + ".spool";
        _builder = new ExecutorExamples(pages);
        _problems = problems;
        _readingProblems = new ProblemLog(problems.SkipInvalid);
    }

    protected override async Task<bool> PrepareAsync(CancellationToken cancellationToken)
    {
        // Replan resuming an earlier run's output hands on only its new records: dynamic-act would need the file anyway.
        if (await Feed.Opened.WaitAsync(cancellationToken) != 0)
        {
            return false;
        }

        _spool = new Spool(_spoolPath);
        // A trajectory's examples are built as soon as its record arrives: on the lane they would wait behind act's and
        // export's long work while finished trajectories pile up in memory.
        var spool = _spool;
        await OnOwnThreadAsync(() => Build(spool, cancellationToken));

        // The outlines are read once replan is done: read while it ran, beside act's and replan's own reading of the
        // same file, they raised the peak heap by about a tenth (bench/RESULTS.md), to save half a second.
        await ReadOutlinesAsync(cancellationToken);
        return true;
    }

    /// <summary>Each finished trajectory's examples, appended to the spool, until replan's node has finished.</summary>
    private void Build(Spool spool, CancellationToken cancellationToken)
    {
        var line = new ArrayBufferWriter<byte>(1 << 16);
        using var json = new Utf8JsonWriter(line, ExampleJsonl.WriterOptions);
        // The examples go on as they are built (export follows them), from an empty output like replan's.
        Onward?.Open(0);
        foreach (var (item, record) in _feed.ReadAll(cancellationToken))
        {
            var start = spool.Position;
            var examples = 0;
            List<TrainingExample>? built = Onward is null ? null : [];
            foreach (var example in _builder.BuildDynamic(item.Trajectory, record))
            {
                built?.Add(example);
                line.ResetWrittenCount();
                json.Reset();
                ExampleJsonl.Write(json, ExampleJsonl.EnsureValid(example));
                json.Flush();
                line.Write("\n"u8);
                spool.Append(line.WrittenSpan);
                examples++;
            }

            _spooled[item.Trajectory.Id] = (start, spool.Position - start, examples);
            Onward?.Add(item.Trajectory.Id, built!);
            // Pairing checks only the actions: the rounds (plans, traces, request ids) are not kept.
            _records.Add(record with { Rounds = EquatableList<ReplanRound>.Empty });
        }

        spool.Flush();
    }

    /// <summary>The trajectories without their pages (what pairing checks), in input order, and their input problems.</summary>
    private async Task ReadOutlinesAsync(CancellationToken cancellationToken)
    {
        await foreach (var trajectory in _trajectories(_readingProblems).WithCancellation(cancellationToken))
        {
            _outlines.Add(trajectory with { Steps = trajectory.Steps.Select(s => s with { Html = "" }).ToEquatableList() });
        }
    }

    /// <summary>
    /// dynamic-act's examples from what was prepared, or null when it is not complete. Call once replan is done (its
    /// output is <paramref name="replansPath"/>, which names the records in messages).
    /// </summary>
    public async Task<IExecutorExamples<ReplanRecord>?> ExamplesAsync(string replansPath, CancellationToken cancellationToken)
    {
        if (!await PreparedAsync())
        {
            return null;
        }

        var location = new SourceLocation(replansPath);
        var pairing = await PlanPairing.IndexReplansAsync(_records.Select(r => (r.Id, r, location)).ToAsyncEnumerable(), cancellationToken);
        return new Spooled(this, pairing);
    }

    protected override async ValueTask ReleaseAsync()
    {
        if (_spool is not null)
        {
            await _spool.DisposeAsync();
        }
    }

    /// <summary>The prepared examples: pairing over the outlines, each paired trajectory's spooled lines copied in input order.</summary>
    private sealed class Spooled(ReplanExamplesFollower follower, TrajectoryPairing<ReplanRecord> pairing) : IExecutorExamples<ReplanRecord>
    {
        public TrajectoryPairing<ReplanRecord> Pairing => pairing;

        public int Paired { get; private set; }

        public int PagesCut => follower._builder.PagesCut;

        public async Task<int> WriteAsync(string outPath, CancellationToken cancellationToken = default)
        {
            var spool = follower._spool!;
            var examples = 0;
            Paired = 0;
            follower._problems.AddAll(follower._readingProblems);
            await AtomicFile.WriteAsync(outPath, async target =>
            {
                await foreach (var (trajectory, _) in pairing.PairAsync(follower._outlines.ToAsyncEnumerable(), follower._trajectoriesPath, follower._problems, cancellationToken))
                {
                    var (start, length, count) = follower._spooled[trajectory.Id];
                    await spool.CopyAsync(start, length, target, $"the examples of \"{trajectory.Id}\"", cancellationToken);
                    examples += count;
                    Paired++;
                }
            }, cancellationToken);
            return examples;
        }
    }
}
