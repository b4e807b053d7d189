using PlanAct.Export;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Stages;
using PlanAct.Stages.Act;
using PlanAct.Stages.Catalogue;
using PlanAct.Stages.Replan;
using PlanAct.Training;

namespace PlanAct.Pipeline.Nodes;

/// <summary>
/// export following a stage in a pipeline run: the stage's training-data file is exported ahead of the file
/// (<see cref="SpooledExport"/>) as the stage hands on what it finishes, on cores the teacher's waiting leaves idle, and
/// once the stage is done export copies the spooled lines in the file's order instead of reading and building it.
/// </summary>
internal abstract class ExportFollower : StageFollower
{
    private readonly IReadOnlyList<IExampleFormatter> _formats;
    private readonly ExportOptions _settings;
    private readonly string _folder;
    private SpooledExport? _export;

    private protected ExportFollower(string stage, ItemFeed feed, IReadOnlyList<IExampleFormatter> formats, ExportOptions settings, ExamplePageOptions pages, string folder)
        : base(stage, feed)
    {
        _formats = formats;
        _settings = settings;
        _folder = folder;
        // Units are never plan records: the trajectories' findings (grounded planner examples only) are never asked.
        Builders = new ExampleBuilders(pages with { Profile = settings.Profile }, new HindsightScreen(settings.AllowHindsight, settings.WithReasoning));
    }

    /// <summary>
    /// export's followers: of replan (a unit is a record, its replanner examples) and of dynamic-act (a unit is one of the
    /// examples dynamic-act builds while it follows replan); none when a format cannot be spooled a line at a time.
    /// </summary>
    /// <param name="formats">The export's formats.</param>
    /// <param name="settings">The export's settings.</param>
    /// <param name="pages">The export's page budget.</param>
    /// <param name="folder">The export folder: the spools go there.</param>
    public static IReadOnlyList<StageFollower> For(IReadOnlyList<IExportFormat> formats, ExportOptions settings, ExamplePageOptions pages, string folder)
    {
        // A spool holds lines: every format must be written a line an example.
        if (!formats.All(f => f is IExampleFormatter))
        {
            return [];
        }

        IReadOnlyList<IExampleFormatter> lines = [.. formats.Cast<IExampleFormatter>()];
        return
        [
            new Of<ReplanRecord>(ReplanStage.StageName, lines, settings, pages, folder, (builders, record) => [(record.Id, builders.Replanner.Build(record))]),
            new Of<IReadOnlyList<TrainingExample>>(DynamicActDefinition.StageName, lines, settings, pages, folder, (builders, examples) => [.. examples.Select(e => (e.Id, Relaid(builders, e)))]),
        ];
    }

    /// <summary>
    /// An executor example laid out again under another profile, as reading the file would (each trajectory's steps
    /// together and in order); made as it is enumerated, so that a refusal counts in its own unit.
    /// </summary>
    private static IEnumerable<TrainingExample> Relaid(ExampleBuilders builders, TrainingExample example)
    {
        if (builders.Executor(example, new SourceLocation(DynamicActDefinition.StageName)) is { } relaid)
        {
            yield return relaid;
        }
    }

    /// <summary>The builders the units' examples are made with.</summary>
    protected ExampleBuilders Builders { get; }

    protected override async Task<bool> PrepareAsync(CancellationToken cancellationToken)
    {
        // A stage resuming an earlier run's output hands on only its new records: export reads the file then.
        if (await Feed.Opened.WaitAsync(cancellationToken) != 0)
        {
            return false;
        }

        Directory.CreateDirectory(_folder);
        _export = new SpooledExport(_formats, _settings, Builders, Path.Combine(_folder, Stage));
        var export = _export;
        await OnOwnThreadAsync(() =>
        {
            Spool(export, cancellationToken);
            export.Flush();
        });
        return true;
    }

    /// <summary>Adds every unit handed on, until the feed completes.</summary>
    private protected abstract void Spool(SpooledExport export, CancellationToken cancellationToken);

    /// <summary>
    /// The export of <paramref name="path"/> (the followed stage's training data, now written) to <paramref name="targets"/>
    /// from what was prepared, or null when it was not, or is not that file's (then the file is exported by reading it).
    /// </summary>
    public async Task<IReadOnlyList<ExportReport>?> ExportAsync(string path, IReadOnlyList<ExportTarget> targets, CancellationToken cancellationToken) =>
        await PreparedAsync() ? await _export!.ExportAsync(path, targets, cancellationToken) : null;

    protected override async ValueTask ReleaseAsync()
    {
        if (_export is not null)
        {
            await _export.DisposeAsync();
        }
    }

    /// <summary>The follower of a stage that hands on <typeparamref name="TRecord"/>s, each made into units by <paramref name="units"/> (ids of the file's lines, and their examples as they are built).</summary>
    private sealed class Of<TRecord>(
        string stage, IReadOnlyList<IExampleFormatter> formats, ExportOptions settings, ExamplePageOptions pages, string folder, Func<ExampleBuilders, TRecord, IReadOnlyList<(string Id, IEnumerable<TrainingExample> Examples)>> units)
        : ExportFollower(stage, new ItemFeed<object, TRecord>(keepsItems: false), formats, settings, pages, folder)
    {
        private protected override void Spool(SpooledExport export, CancellationToken cancellationToken)
        {
            foreach (var (_, record) in ((ItemFeed<object, TRecord>)Feed).ReadAll(cancellationToken))
            {
                foreach (var (id, examples) in units(Builders, record))
                {
                    export.Add(id, examples);
                }
            }
        }
    }
}
