using System.Buffers;
using System.Text;
using PlanAct.Export;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Stages;
using PlanAct.Stages.Catalogue;
using PlanAct.Stages.Replan;
using PlanAct.Training;

namespace PlanAct.Pipeline.Nodes;

/// <summary>
/// export following replan in a pipeline run: each replan record's replanner examples are built, checked, counted and
/// laid out in every format as replan appends it, on cores the teacher's waiting leaves idle, and their lines kept in
/// one spool per format. Once replan is done its output is read for its record ids alone, and if they are exactly the
/// records handed on, each format's file is the spooled lines copied in the output's order, its card's numbers folded
/// in that order: the files and cards reading the output would make. Only for JSONL formats without a validation
/// split (a split file or a Hugging Face folder is written from the output as before).
/// </summary>
internal sealed class ExportFollower : StageFollower
{
    private readonly ItemFeed<object, ReplanRecord> _feed;
    private readonly IReadOnlyList<IExampleFormatter> _formats;
    private readonly ExportOptions _settings;
    private readonly string _folder;
    private readonly HindsightScreen _hindsight;
    private readonly ExampleBuilders _builders;
    private readonly ExportTally _tally;
    private readonly Dictionary<string, SpooledRecord> _records = new(StringComparer.Ordinal);
    private Spool[] _spools = [];

    private ExportFollower(ItemFeed<object, ReplanRecord> feed, IReadOnlyList<IExampleFormatter> formats, ExportOptions settings, ExamplePageOptions pages, string folder)
        : base(ReplanStage.StageName, feed)
    {
        _feed = feed;
        _formats = formats;
        _settings = settings;
        _folder = folder;
        // Replan records hold no grounded plan: the trajectories' findings (planner examples only) are never asked.
        _hindsight = new HindsightScreen(settings.AllowHindsight, settings.WithReasoning);
        _builders = new ExampleBuilders(pages with { Profile = settings.Profile }, _hindsight);
        _tally = new ExportTally(settings);
    }

    /// <summary>
    /// The follower of replan for an export in <paramref name="formats"/> with <paramref name="settings"/> and
    /// <paramref name="pages"/>, its spools in <paramref name="folder"/>; null when a format cannot be spooled a line at a time.
    /// </summary>
    public static ExportFollower? For(IReadOnlyList<IExportFormat> formats, ExportOptions settings, ExamplePageOptions pages, string folder) =>
        formats.All(f => f is IExampleFormatter)
            ? new ExportFollower(new ItemFeed<object, ReplanRecord>(), [.. formats.Cast<IExampleFormatter>()], settings, pages, folder)
            : null;

    protected override async Task<bool> PrepareAsync(CancellationToken cancellationToken)
    {
        // Replan resuming an earlier run's output hands on only its new records: export reads the file then.
        if (await Feed.Opened.WaitAsync(cancellationToken) != 0)
        {
            return false;
        }

        Directory.CreateDirectory(_folder);
        _spools = [.. _formats.Select(f => new Spool(Path.Combine(_folder, $"{Stage}.{f.Name}.spool")))];
        // On the thread pool, as dynamic-act's follower: each record is a short piece of work.
        await Task.Run(() => BuildAsync(cancellationToken), cancellationToken);
        return true;
    }

    /// <summary>Each record's examples in every format, appended to the spools, until replan's node has finished.</summary>
    private async Task BuildAsync(CancellationToken cancellationToken)
    {
        var bytes = new ArrayBufferWriter<byte>(1 << 16);
        await foreach (var (_, record) in _feed.ReadAllAsync(cancellationToken))
        {
            var (overlong, refused, flagged) = (_tally.Overlong.Count, _builders.Refusals.Refused.Count, _hindsight.Flagged.Count);
            var starts = _spools.Select(s => s.Position).ToArray();
            var written = 0;
            foreach (var example in _builders.Replanner.Build(record))
            {
                if (_tally.Admit(example) is not { } exported)
                {
                    continue;
                }

                for (var i = 0; i < _formats.Count; i++)
                {
                    bytes.ResetWrittenCount();
                    Encoding.UTF8.GetBytes(_formats[i].FormatLine(exported.Messages), bytes);
                    bytes.Write("\n"u8);
                    await _spools[i].AppendAsync(bytes.WrittenMemory, cancellationToken);
                }

                written++;
            }

            _records[record.Id] = new SpooledRecord(
                starts,
                [.. _spools.Select((s, i) => s.Position - starts[i])],
                written,
                [.. _tally.Overlong.Skip(overlong)],
                Since(_builders.Refusals.Refused, refused),
                Since(_hindsight.Flagged, flagged));
        }

        foreach (var spool in _spools)
        {
            await spool.FlushAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Writes the export of <paramref name="recordsPath"/> (replan's output, now finished) in <paramref name="targets"/>
    /// from what was prepared, and gives each target's report; null when nothing or not exactly that file's records
    /// were prepared, or the targets are not the formats followed (then the file is exported as without a follower).
    /// </summary>
    public async Task<IReadOnlyList<ExportReport>?> ExportAsync(string recordsPath, IReadOnlyList<ExportTarget> targets, CancellationToken cancellationToken)
    {
        if (!await PreparedAsync() || !targets.Select(t => t.Format.Name).SequenceEqual(_formats.Select(f => f.Name)) || await OrderAsync(recordsPath, cancellationToken) is not { } order)
        {
            return null;
        }

        for (var i = 0; i < targets.Count; i++)
        {
            var spool = _spools[i];
            await AtomicFile.WriteAsync(targets[i].Output, async target =>
            {
                foreach (var record in order)
                {
                    await spool.CopyAsync(record.Starts[i], record.Lengths[i], target, $"a record's {targets[i].Format.Name} lines", cancellationToken);
                }
            }, cancellationToken);
        }

        var written = order.Sum(r => r.Written);
        var report = _tally.Report() with
        {
            Written = written,
            Overlong = [.. order.SelectMany(r => r.Overlong)],
            Refused = [.. order.SelectMany(r => r.Refused)],
            Hindsight = [.. order.SelectMany(r => r.Flagged)],
            HindsightKept = _hindsight.Allow,
            // Reading the file, export checks the grounded plans of plan records against the trajectories: a replan file has none.
            PlansCheckedAgainstTrajectories = _settings.Trajectories is null ? null : 0,
        };
        return [.. targets.Select(_ => report)];
    }

    /// <summary>The prepared records in the order of the file's lines, or null when they are not exactly the file's.</summary>
    private async Task<IReadOnlyList<SpooledRecord>?> OrderAsync(string recordsPath, CancellationToken cancellationToken)
    {
        var order = new List<SpooledRecord>(_records.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await using var stream = new FileStream(recordsPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await foreach (var (line, _, _, number) in ByteLines.ReadAsync(stream, includeTail: true, cancellationToken))
        {
            try
            {
                var id = ResumableJsonl.IdOf(line, new SourceLocation(recordsPath, number));
                if (!seen.Add(id) || !_records.TryGetValue(id, out var record))
                {
                    return null;
                }

                order.Add(record);
            }
            catch (InputException)
            {
                // A line that is not a record of replan's is the export's to report, reading the file itself.
                return null;
            }
        }

        return order.Count == _records.Count ? order : null;
    }

    protected override async ValueTask ReleaseAsync()
    {
        foreach (var spool in _spools)
        {
            await spool.DisposeAsync();
        }
    }

    private static T[] Since<T>(IReadOnlyCollection<T> items, int count) => items.Count == count ? [] : [.. items.Skip(count)];

    /// <summary>Where one record's lines are in each format's spool, and what its card counts in file order.</summary>
    private sealed record SpooledRecord(long[] Starts, long[] Lengths, int Written, OverlongExample[] Overlong, RefusedExample[] Refused, HindsightFlag[] Flagged);
}
