using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Stages;
using PlanAct.Training;
using PlanAct.Training.Profiles;

namespace PlanAct.Viewing;

/// <summary>What the lines of a file the viewer indexes are.</summary>
internal enum ViewedFileRole
{
    /// <summary>Plan, replan or example records (a stage output or any records file).</summary>
    Records,

    /// <summary>A stage's quarantine (<c>&lt;out-name&gt;.quarantine.jsonl</c>): items never answered validly.</summary>
    Quarantine,
}

/// <summary>A file to index; a quarantine names the records file it sits beside, whose kind and origin its items share.</summary>
internal sealed record ViewedFile(string Path, ViewedFileRole Role, string? Beside = null);

/// <summary>Outcomes the index knows.</summary>
internal static class RecordOutcomes
{
    public const string Ok = "ok";
    public const string Quarantined = "quarantined";
}

/// <summary>
/// One indexed line: where its bytes are (file, byte offset and length, line number) and the few fields pages filter
/// on. The record itself is read again by seeking when it is shown.
/// </summary>
internal sealed record IndexEntry(int Number, int File, int Line, long Offset, int Length, string Id, string Kind, string Site, string Origin, string Outcome)
{
    /// <summary>The trajectory the record was made from, when it names one (executor steps of one trajectory are found by it).</summary>
    public string? Trajectory { get; init; }
}

/// <summary>Which entries a page lists; a null field does not filter.</summary>
internal sealed record RecordFilter(string? Kind = null, string? Site = null, string? Origin = null, string? Outcome = null)
{
    public bool Matches(IndexEntry entry) =>
        (Kind is null || Kind == entry.Kind) && (Site is null || Site == entry.Site) && (Origin is null || Origin == entry.Origin) && (Outcome is null || Outcome == entry.Outcome);
}

/// <summary>A value of a filter field and how many entries have it.</summary>
internal sealed record FacetValue(string Value, int Count);

/// <summary>
/// The offset index of a run's records and quarantines, built by one streaming pass over each file: every line is
/// parsed and validated by its record reader (the first bad line stops the build with its file and line), then only
/// its offset and filter fields are kept. A page reads the lines it shows by seeking.
/// </summary>
internal sealed class RecordIndex
{
    private readonly List<IndexEntry> _entries;
    private readonly Dictionary<(string Kind, string Id), int> _okByKindAndId;
    private readonly Dictionary<(int File, string Id), (int Line, long Offset, int Length)> _rejections;

    private readonly IReadOnlyList<TrainingRecordKind?> _recordsOfFile;

    private RecordIndex(IReadOnlyList<string> files, IReadOnlyList<TrainingRecordKind?> recordsOfFile, List<IndexEntry> entries, Dictionary<(int File, string Id), (int Line, long Offset, int Length)> rejections)
    {
        Files = files;
        _recordsOfFile = recordsOfFile;
        _entries = entries;
        _rejections = rejections;
        _okByKindAndId = [];
        foreach (var entry in entries.Where(e => e.Outcome == RecordOutcomes.Ok))
        {
            _okByKindAndId.TryAdd((entry.Kind, entry.Id), entry.Number);
        }

        Facets = new Dictionary<string, IReadOnlyList<FacetValue>>(StringComparer.Ordinal)
        {
            ["kind"] = Facet(e => e.Kind),
            ["site"] = Facet(e => e.Site),
            ["origin"] = Facet(e => e.Origin),
            ["outcome"] = Facet(e => e.Outcome),
        };
    }

    /// <summary>The indexed files; <see cref="IndexEntry.File"/> numbers them.</summary>
    public IReadOnlyList<string> Files { get; }

    public IReadOnlyList<IndexEntry> Entries => _entries;

    /// <summary>For each filter field (kind, site, origin, outcome), its values with their counts, most frequent first.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<FacetValue>> Facets { get; }

    /// <summary>Indexes <paramref name="files"/> (records files before the quarantines beside them).</summary>
    /// <param name="files">The files, in the order they are listed.</param>
    /// <param name="trajectories">Gives quarantined items their site (a quarantine line names only its item).</param>
    /// <param name="cancellationToken">Stops the pass.</param>
    /// <exception cref="InputException">A file is missing, is not records, or holds a malformed or invalid line.</exception>
    public static async Task<RecordIndex> BuildAsync(IReadOnlyList<ViewedFile> files, TrajectoryActions trajectories, CancellationToken cancellationToken = default)
    {
        var builder = new Builder(trajectories);
        foreach (var file in files.Where(f => f.Role == ViewedFileRole.Records))
        {
            await builder.AddRecordsAsync(file.Path, cancellationToken);
        }

        foreach (var file in files.Where(f => f.Role == ViewedFileRole.Quarantine))
        {
            await builder.AddQuarantineAsync(file, cancellationToken);
        }

        return new RecordIndex(builder.Files, builder.RecordsOfFile, builder.Entries, builder.Rejections);
    }

    /// <summary>The entries <paramref name="filter"/> keeps, page <paramref name="page"/> (from 0) of <paramref name="pageSize"/>, and how many it keeps in all.</summary>
    public (IReadOnlyList<IndexEntry> Entries, int Total) Page(RecordFilter filter, int page, int pageSize)
    {
        var matching = _entries.Where(filter.Matches);
        return ([.. matching.Skip(page * pageSize).Take(pageSize)], _entries.Count(filter.Matches));
    }

    /// <summary>What the entry's file holds: plan, replan or example records, or null for a quarantine.</summary>
    public TrainingRecordKind? RecordsOf(IndexEntry entry) => _recordsOfFile[entry.File];

    public IndexEntry? Entry(int number) => number >= 0 && number < _entries.Count ? _entries[number] : null;

    /// <summary>The valid record of <paramref name="kind"/> with <paramref name="id"/>, if indexed.</summary>
    public IndexEntry? Find(string kind, string id) => _okByKindAndId.TryGetValue((kind, id), out var number) ? _entries[number] : null;

    /// <summary>The records of the same file and trajectory just before <paramref name="entry"/> (the earlier steps), in file order.</summary>
    public IReadOnlyList<IndexEntry> EarlierSteps(IndexEntry entry)
    {
        var earlier = new List<IndexEntry>();
        for (var n = entry.Number - 1; n >= 0 && _entries[n] is var e && e.File == entry.File && e.Trajectory is not null && e.Trajectory == entry.Trajectory; n--)
        {
            earlier.Add(e);
        }

        earlier.Reverse();
        return earlier;
    }

    /// <summary>The line of <paramref name="entry"/>, read by seeking.</summary>
    public Task<string> ReadAsync(IndexEntry entry, CancellationToken cancellationToken = default) =>
        JsonlLines.ReadAsync(Files[entry.File], entry.Line, entry.Offset, entry.Length, cancellationToken);

    public SourceLocation Location(IndexEntry entry) => new(Files[entry.File], entry.Line);

    /// <summary>The reasons of the answers rejected on the way to a valid record (its stage's rejection journal), or none.</summary>
    public async Task<IReadOnlyList<string>> RejectionsAsync(IndexEntry entry, CancellationToken cancellationToken = default)
    {
        if (!_rejections.TryGetValue((entry.File, entry.Id), out var line))
        {
            return [];
        }

        var text = await JsonlLines.ReadAsync(RejectionJournal.PathBeside(Files[entry.File]), line.Line, line.Offset, line.Length, cancellationToken);
        return RejectionJournal.Parse(text)?.Reasons ?? [];
    }

    private IReadOnlyList<FacetValue> Facet(Func<IndexEntry, string> field) =>
        [.. _entries.GroupBy(field, StringComparer.Ordinal).Select(g => new FacetValue(g.Key, g.Count())).OrderByDescending(f => f.Count).ThenBy(f => f.Value, StringComparer.Ordinal)];

    /// <summary>Collects entries file by file; filter values are shared strings, so a large index holds each once.</summary>
    private sealed class Builder(TrajectoryActions trajectories)
    {
        private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (string Kind, string Origin)> _kindOfRecordsFile = new(StringComparer.Ordinal);

        public List<string> Files { get; } = [];

        public List<TrainingRecordKind?> RecordsOfFile { get; } = [];

        public List<IndexEntry> Entries { get; } = [];

        public Dictionary<(int File, string Id), (int Line, long Offset, int Length)> Rejections { get; } = [];

        public async Task AddRecordsAsync(string path, CancellationToken cancellationToken)
        {
            var file = Files.Count;
            Files.Add(path);
            var recordKind = await TrainingRecords.DetectAsync(path, cancellationToken);
            RecordsOfFile.Add(recordKind);
            var strict = new ProblemLog();
            var firstLines = new Dictionary<string, int>(StringComparer.Ordinal);
            await foreach (var line in JsonlLines.ScanAsync(path, cancellationToken))
            {
                var location = new SourceLocation(path, line.Line);
                var fields = recordKind switch
                {
                    TrainingRecordKind.Plans => PlanJsonl.Parse(line.Text, location, strict) is { } plan
                        ? new Fields(plan.Id, AgentRoles.Name(AgentRole.Planner), plan.Site, plan.Origin, plan.Origin == PlanOrigin.Grounded ? plan.Id : null)
                        : null,
                    TrainingRecordKind.Replans => ReplanJsonl.Parse(line.Text, location, strict) is { } replan
                        ? new Fields(replan.Id, AgentRoles.Name(AgentRole.Replanner), replan.Site, PlanOrigin.Grounded, replan.Id)
                        : null,
                    _ => ExampleJsonl.Parse(line.Text, location, strict) is { } example ? ExampleFields(example) : null,
                };

                // A strict log throws on a bad line, so a line without fields cannot come here; the check keeps the compiler honest.
                if (fields is null)
                {
                    continue;
                }

                if (!firstLines.TryAdd(fields.Id, line.Line))
                {
                    throw new InputException(location, $"duplicate id \"{fields.Id}\" (first at line {firstLines[fields.Id]})");
                }

                Add(file, line, fields, RecordOutcomes.Ok);
            }

            var first = Entries.FirstOrDefault(e => e.File == file);
            _kindOfRecordsFile[Path.GetFullPath(path)] = first is null ? ("", "") : (first.Kind, first.Origin);
            await AddJournalAsync(file, path, cancellationToken);
        }

        public async Task AddQuarantineAsync(ViewedFile quarantine, CancellationToken cancellationToken)
        {
            var file = Files.Count;
            Files.Add(quarantine.Path);
            RecordsOfFile.Add(null);
            (string Kind, string Origin) beside = quarantine.Beside is { } output && _kindOfRecordsFile.TryGetValue(Path.GetFullPath(output), out var known) ? known : ("", "");
            await foreach (var line in JsonlLines.ScanAsync(quarantine.Path, cancellationToken))
            {
                var record = QuarantineFile.Parse(line.Text, new SourceLocation(quarantine.Path, line.Line));
                var trajectory = trajectories.OfItem(record.Id);

                // An empty output gives its quarantine no kind or origin: the stage's name and "unknown" say what is known.
                var kind = beside.Kind.Length > 0 ? beside.Kind : record.Stage;
                var origin = beside.Origin.Length > 0 ? beside.Origin : "unknown";
                Add(file, line, new Fields(record.Id, kind, trajectory?.Site ?? "unknown", origin, trajectory?.Id), RecordOutcomes.Quarantined);
            }
        }

        private static Fields ExampleFields(TrainingExample example) => new(
            example.Id,
            example.Context is { } context ? AgentRoles.Name(context.Role) : ExampleNames.Of(example.Kind),
            example.Site,

            // Examples carry no plan origin: one made from a trajectory is grounded in it, one made from a plan alone was generated.
            example.Source.Trajectory is null ? "generated" : PlanOrigin.Grounded,
            example.Source.Trajectory);

        private void Add(int file, LocatedLine line, Fields fields, string outcome) =>
            Entries.Add(new IndexEntry(Entries.Count, file, line.Line, line.Offset, line.Length, fields.Id, Shared(fields.Kind), Shared(fields.Site), Shared(fields.Origin), outcome)
            {
                Trajectory = fields.Trajectory,
            });

        /// <summary>Offsets of the rejection journal beside a records file. Its lines are appended before their records, so a torn last line (a killed run) is skipped as the stage itself skips it.</summary>
        private async Task AddJournalAsync(int file, string recordsPath, CancellationToken cancellationToken)
        {
            var journal = RejectionJournal.PathBeside(recordsPath);
            if (!File.Exists(journal))
            {
                return;
            }

            await foreach (var line in JsonlLines.ScanAsync(journal, cancellationToken))
            {
                if (RejectionJournal.Parse(line.Text) is { } rejected)
                {
                    Rejections[(file, rejected.Id)] = (line.Line, line.Offset, line.Length);
                }
            }
        }

        private string Shared(string value) => _values.TryGetValue(value, out var shared) ? shared : _values[value] = value;
    }

    private sealed record Fields(string Id, string Kind, string Site, string Origin, string? Trajectory);
}
