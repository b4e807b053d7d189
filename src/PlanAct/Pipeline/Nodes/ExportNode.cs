using System.Diagnostics;
using System.Globalization;
using PlanAct.Export;
using PlanAct.Plans.Hindsight;
using PlanAct.Stages;
using PlanAct.Stages.Catalogue;
using PlanAct.Training;
using PlanAct.Training.Profiles;

namespace PlanAct.Pipeline.Nodes;

/// <summary>
/// export: every training-data output of the pipeline in each format, as <c>export/&lt;kind&gt;.&lt;format&gt;.jsonl</c>
/// with its dataset card beside it (<c>.md</c>; a Hugging Face folder <c>export/&lt;kind&gt;.hf</c> holds its card as
/// README.md). Options: formats, profile, max_tokens, with_reasoning, allow_hindsight, max_page_tokens, train_earlier_turns, validation, seed,
/// and mix: training-data names (e.g. planner, synthetic-planner, targeted-planner) also written as one interleaved <c>export/mix.&lt;format&gt;</c>.
/// </summary>
internal sealed class ExportNode : IPipelineNode
{
    public const string Folder = "export";

    /// <summary>The base name of the mixed file (option <c>mix</c>).</summary>
    public const string MixName = "mix";

    public string Name => "export";

    public IReadOnlyList<string> Requires => [];

    public bool YieldsTrainingData => false;

    public bool ReadsAllTrainingData => true;

    public void Check(StageOptions options) => Read(options);

    public string? ExpectedRequests(RunInput input, StageOptions options) => null;

    public bool StartsEarly => true;

    public bool AsksTeacher(StageOptions options) => false;

    /// <summary>Export follows replan and dynamic-act: their files are what is left to export when the teacher's work is done.</summary>
    public IReadOnlyList<StageFollower> Follow(PipelineContext context, StageOptions options)
    {
        var (formats, _, settings, pages) = Read(options);
        return ExportFollower.For(formats, settings with { Trajectories = context.Pipeline.Inputs.GetValueOrDefault("trajectories") }, pages, context.PathFor(Folder));
    }

    public async Task<NodeResult> RunAsync(PipelineContext context, StageOptions options, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var (formats, formatSettings, settings, pages) = Read(options);
        var mixed = options.Strings("mix") ?? [];
        // The run's own trajectories: grounded plans are checked against their later pages, notes and final answers too.
        var trajectories = context.Pipeline.Inputs.GetValueOrDefault("trajectories");
        var folder = context.PathFor(Folder);
        string[] alsoRead = [.. trajectories is null ? [] : new[] { trajectories }, .. File.Exists(settings.Profile.Source) ? new[] { settings.Profile.Source } : []];
        var described = string.Create(
            CultureInfo.InvariantCulture,
            $"export {string.Join(",", formats.Select(f => f.Name))} {formatSettings} profile={settings.Profile.Name}@{settings.Profile.Source} max_tokens={settings.MaxTokens} reasoning={settings.WithReasoning} hindsight={settings.AllowHindsight} pages={pages.MaxPageTokens} seed={settings.Seed}");
        var cards = new CardSources(context.CommandLine, context.Session.Ledger.Path, context.Session.Options.Prices);
        // Two files at a time, one per core: each streams, so memory stays that of two.
        using var slots = new SemaphoreSlim(2);

        // Each stage's training data is exported as soon as that stage is done, while the stages after it still run;
        // the mix as soon as the stages of all its data are.
        var exporting = context.Upstream.Select(u => ExportStageAsync(u.Stage, u.Finished)).ToList();
        var mixing = ExportMixAsync(exporting);
        var stages = await Task.WhenAll(exporting);
        var mix = await mixing;
        var unfinished = stages.Where(s => s.Sources is null).Select(s => s.Stage).ToList();
        if (unfinished.Count > 0)
        {
            // A partial export would pass for a whole data set: the files of the stages that are done are exported, but the export is not.
            return NodeResult.Blocked(Name, $"waits for {string.Join(", ", unfinished)} to finish");
        }

        List<FileExport> files = [.. stages.SelectMany(s => s.Files), .. mix is null ? [] : new[] { mix }];

        int Sum(string count) => files.Sum(f => f.Counts.GetValueOrDefault(count));
        var (written, overlong, refused, hindsight) = (Sum(Written), Sum(Overlong), Sum(Refused), Sum(Hindsight));
        var skipped = new Dictionary<string, int>(StringComparer.Ordinal);
        if (overlong > 0)
        {
            skipped["over max_tokens"] = overlong;
        }

        if (refused > 0)
        {
            skipped[$"refused by the {settings.Profile.Name} profile"] = refused;
        }

        if (hindsight > 0)
        {
            skipped[HindsightCheck.Reason] = hindsight;
        }

        var outputs = files.SelectMany(f => f.Outputs).ToList();
        var statsPath = Path.Combine(folder, "export.stats.json");
        var stats = new StageStats(
            Name, written + overlong + refused + hindsight, written, 0, overlong + refused + hindsight, new Dictionary<string, int>(), new Dictionary<string, int>(), skipped, [],
            clock.Elapsed.TotalSeconds, context.Shard?.ToString());
        Directory.CreateDirectory(folder);
        await StageStats.WriteAsync(statsPath, stats, cancellationToken);
        Report(context, stats, clock.Elapsed);
        var summary = $"{written} examples in {outputs.Count} files ({string.Join(", ", formats.Select(f => f.Name))}), {overlong} left out over max_tokens, {refused} refused by the {settings.Profile.Name} profile, {hindsight} left out for hindsight";
        return new NodeResult(Name, NodeStatus.Done, outputs, files.All(f => f.UpToDate) ? $"up to date: {summary}" : summary)
        {
            Details = [.. files.Where(f => f.Followed is not null).Select(f => $"{Name}: {f.Name} built as {f.Followed} appended each record")],
            Problems = context.Problems.ErrorCount,
            Seconds = clock.Elapsed.TotalSeconds,
            Stats = statsPath,
        };

        // The files of one stage once it is done; no sources when it did not finish.
        async Task<StageExport> ExportStageAsync(string stage, Task<NodeResult?> finished)
        {
            if (await finished is not { Status: NodeStatus.Done } result)
            {
                return new StageExport(stage, null, []);
            }

            // A stage may finish with no records (e.g. augment when every pair was a duplicate): nothing to export of it.
            var data = result.Outputs.Where(o => o.TrainingData is not null && new FileInfo(o.Path).Length > 0).ToList();
            var exported = new List<FileExport>();
            foreach (var source in data)
            {
                exported.Add(await ExportFileAsync(source.TrainingData!, [source.Path], context.Followers.OfType<ExportFollower>().FirstOrDefault(f => f.Stage == stage)));
            }

            return new StageExport(stage, data, exported);
        }

        // The mix: the named training data in one file per format, interleaved (the paper's planner mix of grounded,
        // synthetic and targeted plans), once every stage has finished that could hold some of it; none when a stage
        // did not finish or no name has data.
        async Task<FileExport?> ExportMixAsync(IReadOnlyList<Task<StageExport>> stageExports)
        {
            if (mixed.Count == 0)
            {
                return null;
            }

            var found = new Dictionary<string, string>(StringComparer.Ordinal);
            await foreach (var done in Task.WhenEach(stageExports))
            {
                var stage = await done;
                if (stage.Sources is null)
                {
                    return null;
                }

                foreach (var source in stage.Sources.Where(s => mixed.Contains(s.TrainingData!)))
                {
                    found.TryAdd(source.TrainingData!, source.Path);
                }

                if (mixed.All(found.ContainsKey))
                {
                    break;
                }
            }

            List<string> paths = [.. mixed.Where(found.ContainsKey).Select(name => found[name])];
            return paths.Count == 0 ? null : await ExportFileAsync(MixName, paths);
        }

        // Every format of one file from one pass over its records (or from what was prepared following its stage),
        // unless its stamp shows nothing changed.
        async Task<FileExport> ExportFileAsync(string name, IReadOnlyList<string> paths, ExportFollower? followed = null)
        {
            var stampPath = Path.Combine(folder, $"{name}.stamp.json");
            Task<string> Fingerprint(IReadOnlyList<string> written) => StageStats.FingerprintAsync([.. paths, .. alsoRead, .. written], $"{described} {name}", cancellationToken);
            if (await NodeStamp.HoldingAsync(stampPath, Fingerprint) is { Counts: { } earlier } stamp)
            {
                return new FileExport(name, stamp.Outputs, earlier, UpToDate: true);
            }

            var errorsBefore = context.Problems.ErrorCount;
            var targets = formats.Select(format => Target(format, Path.Combine(folder, format.OutputName($"{name}.{format.Name}")))).ToList();
            var exportSettings = settings with { Trajectories = trajectories };
            // Copying what was prepared is no work for a core: it takes no slot.
            if (followed is not null && await followed.ExportAsync(paths[0], targets, cancellationToken) is { } prepared)
            {
                await DatasetExporter.WriteCardsAsync(paths, targets, prepared, exportSettings, cards, cancellationToken);
                return await RecordAsync(prepared) with { Followed = followed.Stage };
            }

            await slots.WaitAsync(cancellationToken);
            try
            {
                var (reports, _) = await DatasetExporter.ExportFileAsync(paths, targets, exportSettings, pages, cards, context.Problems, cancellationToken);
                return await RecordAsync(reports);
            }
            finally
            {
                slots.Release();
            }

            async Task<FileExport> RecordAsync(IReadOnlyList<ExportReport> reports)
            {
                var counts = new Dictionary<string, int>(StringComparer.Ordinal)
                {
                    [Written] = reports.Sum(r => r.Written),
                    [Overlong] = reports.Sum(r => r.Overlong.Count),
                    [Refused] = reports.Sum(r => r.Refused.Count),
                    [Hindsight] = settings.AllowHindsight ? 0 : reports.Sum(r => r.HindsightByKind().Values.Sum()),
                };
                var outputs = targets.Select(t => new NodeOutput(t.Output)).ToList();
                await NodeStamp.RecordAsync(stampPath, context.Problems.ErrorCount == errorsBefore, outputs, name, null, counts, Fingerprint, cancellationToken);
                return new FileExport(name, outputs, counts, UpToDate: false);
            }
        }
    }

    private const string Written = "written";
    private const string Overlong = "overlong";
    private const string Refused = "refused";
    private const string Hindsight = "hindsight";

    /// <summary>What export made of one stage: its training data (null when the stage did not finish) and their files.</summary>
    private sealed record StageExport(string Stage, IReadOnlyList<NodeOutput>? Sources, IReadOnlyList<FileExport> Files);

    /// <summary>One exported file in every format, with its counts, and whether an earlier run's files stood.</summary>
    private sealed record FileExport(string Name, IReadOnlyList<NodeOutput> Outputs, IReadOnlyDictionary<string, int> Counts, bool UpToDate)
    {
        /// <summary>The stage followed to prepare it (<see cref="ExportFollower"/>), or null when the file was read.</summary>
        public string? Followed { get; init; }
    }

    /// <summary>An output and its card: <c>.md</c> beside a JSONL file, the format's own place in a folder.</summary>
    private static ExportTarget Target(IExportFormat format, string output) =>
        new(format, output, format.WritesFolder ? format.DefaultCardPath(output) : Path.ChangeExtension(output, ".md"));

    private void Report(PipelineContext context, StageStats stats, TimeSpan elapsed) =>
        context.Progress?.Report(new StageProgress(Name, stats.Total, 0, stats.Ok, 0, stats.Skipped, 0, elapsed, 0, 0, 0, 0));

    private static (IReadOnlyList<IExportFormat> Formats, FormatSettings FormatSettings, ExportOptions Settings, ExamplePageOptions Pages) Read(StageOptions options)
    {
        options.OnlyThese("formats", "profile", "max_tokens", "with_reasoning", "allow_hindsight", "max_page_tokens", "train_earlier_turns", "validation", "seed", "mix");
        var formatSettings = new FormatSettings(options.Bool("train_earlier_turns", false), new ExampleSplit(options.Double("validation", 0, 0, 0.5), options.Int("seed", 0, int.MinValue)));
        var formats = (options.Strings("formats") ?? ["openai-chat"])
            .Select(name => ExampleFormatters.ByName(name, formatSettings) ?? throw options.Error("formats", $"unknown format \"{name}\" (known: {string.Join(", ", ExampleFormatters.All.Select(f => f.Name))})"))
            .ToList();
        var settings = new ExportOptions
        {
            MaxTokens = options.String("max_tokens") is null ? null : options.Int("max_tokens", 0),
            WithReasoning = options.Bool("with_reasoning", false),
            AllowHindsight = options.Bool("allow_hindsight", false),
            Profile = options.String("profile") is { } profile ? Profile(options, profile) : PromptProfile.PlanAct,
            Seed = options.Int("seed", 0, int.MinValue),
        };
        return (formats, formatSettings, settings, new ExamplePageOptions { MaxPageTokens = options.String("max_page_tokens") is null ? null : options.Int("max_page_tokens", 0) });
    }

    /// <summary>A built-in profile by name, or a profile file relative to the pipeline file.</summary>
    private static PromptProfile Profile(StageOptions options, string name) =>
        PromptProfile.BuiltInNames.Contains(name) ? PromptProfile.Load(name)
        : File.Exists(options.PathOf("profile")) ? PromptProfile.Load(options.PathOf("profile")!)
        : throw options.Error("profile", $"\"{name}\" is neither a built-in profile ({string.Join(", ", PromptProfile.BuiltInNames)}) nor a profile file");
}
