using System.Diagnostics;
using System.Globalization;
using PlanAct.Export;
using PlanAct.Plans.Hindsight;
using PlanAct.Stages;
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

    public async Task<NodeResult> RunAsync(PipelineContext context, StageOptions options, CancellationToken cancellationToken)
    {
        // A partial export would pass for a whole data set: it runs only when every stage upstream of it is done.
        var unfinished = context.Results.Values.Where(r => r.Status != NodeStatus.Done).Select(r => r.Stage).ToList();
        if (unfinished.Count > 0)
        {
            return NodeResult.Blocked(Name, $"waits for {string.Join(", ", unfinished)} to finish");
        }

        var clock = Stopwatch.StartNew();
        var (formats, formatSettings, settings, pages) = Read(options);
        var mixed = options.Strings("mix") ?? [];
        // The run's own trajectories: grounded plans are checked against their later pages, notes and final answers too.
        var trajectories = context.Pipeline.Inputs.GetValueOrDefault("trajectories");
        // A stage may finish with no records (e.g. augment when every pair was a duplicate): nothing to export of it.
        var sources = context.Results.Values.SelectMany(r => r.Outputs).Where(o => o.TrainingData is not null && new FileInfo(o.Path).Length > 0).ToList();
        var folder = context.PathFor(Folder);
        var statsPath = Path.Combine(folder, "export.stats.json");
        var stampPath = Path.Combine(folder, "export.stamp.json");
        string[] read = [.. sources.Select(s => s.Path), .. trajectories is null ? [] : new[] { trajectories }, .. File.Exists(settings.Profile.Source) ? new[] { settings.Profile.Source } : []];
        Task<string> Fingerprint(IReadOnlyList<string> written) => StageStats.FingerprintAsync(
            [.. read, .. written],
            string.Create(CultureInfo.InvariantCulture, $"export {string.Join(",", formats.Select(f => f.Name))} {formatSettings} profile={settings.Profile.Name}@{settings.Profile.Source} max_tokens={settings.MaxTokens} reasoning={settings.WithReasoning} hindsight={settings.AllowHindsight} pages={pages.MaxPageTokens} seed={settings.Seed} mix={string.Join(",", mixed)}"),
            cancellationToken);
        if (await NodeStamp.UpToDateAsync(Name, stampPath, Fingerprint) is { } upToDate)
        {
            return upToDate;
        }

        // The mix: the named training data in one file per format, interleaved (the paper's planner mix of grounded, synthetic and targeted plans).
        var mix = mixed.Select(name => sources.FirstOrDefault(s => s.TrainingData == name)).OfType<NodeOutput>().Select(s => s.Path).ToList();
        var files = sources.Select(s => (Name: s.TrainingData!, Paths: (IReadOnlyList<string>)[s.Path])).ToList();
        if (mix.Count > 0)
        {
            files.Add((MixName, mix));
        }

        var outputs = files.SelectMany(s => formats.Select(f => new NodeOutput(Path.Combine(folder, f.OutputName($"{s.Name}.{f.Name}"))))).ToList();
        var errorsBefore = context.Problems.ErrorCount;
        var written = 0;
        var overlong = 0;
        var refused = 0;
        var hindsight = 0;
        foreach (var (name, paths) in files)
        {
            // Every format of a file from one pass over its records.
            var targets = formats.Select(format => Target(format, Path.Combine(folder, format.OutputName($"{name}.{format.Name}")))).ToList();
            var (reports, _) = await DatasetExporter.ExportFileAsync(
                paths, targets, settings with { Trajectories = trajectories }, pages, new CardSources(context.CommandLine, context.Session.Ledger.Path, context.Session.Options.Prices), context.Problems, cancellationToken);
            foreach (var report in reports)
            {
                written += report.Written;
                overlong += report.Overlong.Count;
                refused += report.Refused.Count;
                hindsight += settings.AllowHindsight ? 0 : report.HindsightByKind().Values.Sum();
            }
        }

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

        var stats = new StageStats(
            Name, written + overlong + refused + hindsight, written, 0, overlong + refused + hindsight, new Dictionary<string, int>(), new Dictionary<string, int>(), skipped, [],
            clock.Elapsed.TotalSeconds, context.Shard?.ToString());
        await StageStats.WriteAsync(statsPath, stats, cancellationToken);
        Report(context, stats, clock.Elapsed);
        var result = new NodeResult(Name, NodeStatus.Done, outputs, $"{written} examples in {outputs.Count} files ({string.Join(", ", formats.Select(f => f.Name))}), {overlong} left out over max_tokens, {refused} refused by the {settings.Profile.Name} profile, {hindsight} left out for hindsight")
        {
            Problems = context.Problems.ErrorCount - errorsBefore,
            Seconds = clock.Elapsed.TotalSeconds,
            Stats = statsPath,
        };
        await NodeStamp.RecordAsync(stampPath, result, inputValid: true, Fingerprint, cancellationToken);
        return result;
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
