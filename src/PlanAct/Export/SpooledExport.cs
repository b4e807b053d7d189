using System.Buffers;
using System.Text.Json;
using PlanAct.IO;
using PlanAct.Training;

namespace PlanAct.Export;

/// <summary>
/// One file's export made ahead of the file, while the stage that writes it runs: each unit (what one line of the file
/// makes: a replan record's replanner examples, or one executor example) is checked, laid out, token-counted and
/// formatted as it comes, its lines appended to one spool per format. Once the file is written, its lines' ids give
/// the order: each format's output is the units' lines copied in that order, and the card's numbers are folded in that
/// order, which is what exporting the file gives. JSONL formats without a validation split only.
/// </summary>
internal sealed class SpooledExport : IAsyncDisposable
{
    private readonly IReadOnlyList<IExampleFormatter> _formats;
    private readonly ExportOptions _settings;
    private readonly ExampleBuilders _builders;
    // Measures each example (its layout and tokens) as it comes; what the card counts is folded at the end, in file order.
    private readonly ExportTally _measure;
    private readonly Spool[] _spools;
    private readonly Dictionary<string, Unit> _units = new(StringComparer.Ordinal);
    private readonly ArrayBufferWriter<byte> _line = new(1 << 16);
    private readonly Utf8JsonWriter _json;

    /// <param name="formats">The formats, each written a line an example.</param>
    /// <param name="settings">The export's settings.</param>
    /// <param name="builders">The builders the units' examples come from: what they refuse and flag is the units'.</param>
    /// <param name="spools">Where the spools go: <c>{spools}.{format}.spool</c>.</param>
    public SpooledExport(IReadOnlyList<IExampleFormatter> formats, ExportOptions settings, ExampleBuilders builders, string spools)
    {
        _formats = formats;
        _settings = settings;
        _builders = builders;
        _measure = new ExportTally(settings);
        _spools = [.. formats.Select(f => new Spool($"{spools}.{f.Name}.spool"))];
        _json = ExampleFormatters.LineWriter(_line);
    }

    /// <summary>Adds the unit of the file's line whose id is <paramref name="id"/>: <paramref name="examples"/>, made by the builders as they are enumerated.</summary>
    public void Add(string id, IEnumerable<TrainingExample> examples)
    {
        var (refused, flagged) = (_builders.Refusals.Refused.Count, _builders.Hindsight?.Flagged.Count ?? 0);
        var starts = _spools.Select(s => s.Position).ToArray();
        List<TalliedExample> kept = [];
        List<OverlongExample> overlong = [];
        foreach (var example in examples)
        {
            var (exported, tokens) = _measure.Measure(example);
            if (!_measure.Fits(tokens))
            {
                overlong.Add(new OverlongExample(example.Id, tokens));
                continue;
            }

            for (var i = 0; i < _formats.Count; i++)
            {
                ExampleFormatters.WriteLine(_json, _line, _formats[i], exported.Messages);
                _spools[i].Append(_line.WrittenSpan);
            }

            kept.Add(TalliedExample.Of(example, tokens));
        }

        _units[id] = new Unit(
            starts,
            [.. _spools.Select((s, i) => s.Position - starts[i])],
            [.. kept],
            [.. overlong],
            Since(_builders.Refusals.Refused, refused),
            _builders.Hindsight is { } hindsight ? Since(hindsight.Flagged, flagged) : []);
    }

    /// <summary>Hands every spooled line to its file, once the last unit is added.</summary>
    public void Flush()
    {
        foreach (var spool in _spools)
        {
            spool.Flush();
        }
    }

    /// <summary>
    /// Writes the export of <paramref name="path"/> (now written) to <paramref name="targets"/> from the units, in the
    /// order of its lines, and gives each target's report; null when a line's id is missing, repeated or not a unit's,
    /// or the targets are not the formats spooled (then the file is to be exported by reading it).
    /// </summary>
    public async Task<IReadOnlyList<ExportReport>?> ExportAsync(string path, IReadOnlyList<ExportTarget> targets, CancellationToken cancellationToken)
    {
        if (!targets.Select(t => t.Format.Name).SequenceEqual(_formats.Select(f => f.Name)) || await OrderAsync(path, cancellationToken) is not { } order)
        {
            return null;
        }

        // Each format's file from its own spool, side by side.
        await Task.WhenAll(targets.Select(async (target, i) =>
        {
            await AtomicFile.WriteAsync(target.Output, async file =>
            {
                foreach (var unit in order)
                {
                    await _spools[i].CopyAsync(unit.Starts[i], unit.Lengths[i], file, $"a unit's {_formats[i].Name} lines", cancellationToken);
                }
            }, cancellationToken);
            await _formats[i].CompleteAsync(target.Output, cancellationToken);
        }));

        var tally = new ExportTally(_settings);
        foreach (var example in order.SelectMany(u => u.Kept))
        {
            tally.Count(example);
        }

        var report = tally.Report() with
        {
            Written = order.Sum(u => u.Kept.Length),
            Overlong = [.. order.SelectMany(u => u.Overlong)],
            Refused = [.. order.SelectMany(u => u.Refused)],
            Hindsight = [.. order.SelectMany(u => u.Flagged)],
            HindsightKept = _settings.AllowHindsight,
            // Exporting a file, the grounded plans of plan records are checked against the trajectories: no unit is a plan record.
            PlansCheckedAgainstTrajectories = _settings.Trajectories is null ? null : 0,
        };
        return [.. targets.Select(_ => report)];
    }

    /// <summary>The units in the order of the file's lines, or null when a line is not exactly one unit's.</summary>
    private async Task<IReadOnlyList<Unit>?> OrderAsync(string path, CancellationToken cancellationToken)
    {
        var order = new List<Unit>(_units.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await foreach (var (line, _, _, number) in ByteLines.ReadAsync(stream, includeTail: true, cancellationToken))
        {
            try
            {
                var id = ResumableJsonl.IdOf(line, new SourceLocation(path, number));
                if (!seen.Add(id) || !_units.TryGetValue(id, out var unit))
                {
                    return null;
                }

                order.Add(unit);
            }
            catch (InputException)
            {
                // A line without an id is the export's to report, reading the file itself.
                return null;
            }
        }

        return order;
    }

    public async ValueTask DisposeAsync()
    {
        await _json.DisposeAsync();
        foreach (var spool in _spools)
        {
            await spool.DisposeAsync();
        }
    }

    private static T[] Since<T>(IReadOnlyCollection<T> items, int count) => items.Count == count ? [] : [.. items.Skip(count)];

    /// <summary>Where one unit's lines are in each format's spool, and what the card counts of it.</summary>
    private sealed record Unit(long[] Starts, long[] Lengths, TalliedExample[] Kept, OverlongExample[] Overlong, RefusedExample[] Refused, HindsightFlag[] Flagged);
}
