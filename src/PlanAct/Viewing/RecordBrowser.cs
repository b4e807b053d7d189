using PlanAct.Actions;
using PlanAct.IO;
using PlanAct.Pipeline;
using PlanAct.Plans;
using PlanAct.Stages;
using PlanAct.Teacher;
using PlanAct.Training;
using PlanAct.Training.Profiles;

namespace PlanAct.Viewing;

/// <summary>A plan shown beside the trajectory: its title (which plan of the record it is) and its steps with their grounding.</summary>
internal sealed record PlanView(string Title, Plan Plan);

/// <summary>A record's training example as the model sees it under a profile, or why the profile cannot make it.</summary>
internal sealed record ExampleView(string Title, EquatableList<ExampleMessage>? Messages, string? Refusal);

/// <summary>Everything one record page shows, read from the record's line (and, for an executor step, its earlier steps and its plan record).</summary>
internal sealed record RecordView(IndexEntry Entry, SourceLocation Location, string Task)
{
    /// <summary>The plans to show, each grounded in <see cref="Actions"/> when its steps carry action numbers.</summary>
    public IReadOnlyList<PlanView> Plans { get; init; } = [];

    /// <summary>The trajectory's actions, or null when the trajectory is not known (a generated plan, or no trajectories given).</summary>
    public IReadOnlyList<string>? Actions { get; init; }

    /// <summary>Why <see cref="Actions"/> is null.</summary>
    public string? NoActionsBecause { get; init; }

    /// <summary>Executor examples: the step whose action is the target.</summary>
    public int? CurrentStep { get; init; }

    /// <summary>The reasoning kept with the record (written without hindsight: what examples may show).</summary>
    public string? Reasoning { get; init; }

    /// <summary>Plan records: the teacher's own trace of the grounded annotation, which saw every action and is never training data.</summary>
    public string? AnnotationTrace { get; init; }

    public FailureLabel? Label { get; init; }

    public IReadOnlyList<ExampleView> Examples { get; init; } = [];

    /// <summary>Quarantined items: why, and every answer the teacher gave with the error that rejected it.</summary>
    public string? QuarantineReason { get; init; }

    public IReadOnlyList<TeacherAttempt> Attempts { get; init; } = [];

    /// <summary>Valid records: the errors of the answers rejected before the accepted one (the stage's rejection journal).</summary>
    public IReadOnlyList<string> Rejections { get; init; } = [];

    /// <summary>Planner and replanner records: what export's hindsight check finds in their examples (values the model could not have known).</summary>
    public IReadOnlyList<string> Hindsight { get; init; } = [];
}

/// <summary>
/// What <c>planact view</c> browses: the records and quarantines of a run directory (the stage outputs its
/// <c>run.json</c> names as training data) or of one records file, indexed by offset, and the actions of the
/// trajectories they were made from. Records are read one at a time, by seeking, when they are shown.
/// </summary>
internal sealed class RecordBrowser
{
    private RecordBrowser(string title, RecordIndex index, TrajectoryActions trajectories, string? trajectoriesPath)
    {
        Title = title;
        Index = index;
        Trajectories = trajectories;
        TrajectoriesPath = trajectoriesPath;
    }

    /// <summary>The run directory's or file's name.</summary>
    public string Title { get; }

    public RecordIndex Index { get; }

    public TrajectoryActions Trajectories { get; }

    /// <summary>Where the trajectories' actions were read from, or null when none were.</summary>
    public string? TrajectoriesPath { get; }

    /// <summary>Indexes a run directory or a records file (with the quarantine beside it).</summary>
    /// <param name="path">A run directory of <c>planact run</c> (it holds run.json) or a plan, replan or example records file.</param>
    /// <param name="trajectoriesPath">The trajectories the records were made from; a run directory defaults to its pipeline's input.</param>
    /// <param name="cancellationToken">Stops the indexing.</param>
    /// <exception cref="InputException">The path is missing, is not a run directory or records, or a line is malformed.</exception>
    public static async Task<RecordBrowser> OpenAsync(string path, string? trajectoriesPath, CancellationToken cancellationToken = default)
    {
        List<ViewedFile> files;
        if (Directory.Exists(path))
        {
            var manifest = RunManifest.Read(Path.Combine(path, PipelineRunner.ManifestName));
            var outputs = manifest.Stages.SelectMany(s => s.Outputs).Select(o => (Path: Path.Combine(path, o.Path), o.TrainingData)).ToList();

            // Empty outputs (every item quarantined) have no records to tell their kind by; their quarantines are still listed.
            files = [.. outputs.Where(o => o.TrainingData is not null && new FileInfo(o.Path) is { Exists: true, Length: > 0 }).Select(o => new ViewedFile(o.Path, ViewedFileRole.Records))];
            files.AddRange(QuarantinesBeside(outputs.Select(o => o.Path)));
            trajectoriesPath ??= File.Exists(manifest.PipelineFile) && PipelineDefinition.Load(manifest.PipelineFile).Inputs.TryGetValue("trajectories", out var input) ? input : null;
        }
        else if (File.Exists(path))
        {
            files = [new ViewedFile(path, ViewedFileRole.Records), .. QuarantinesBeside([path])];
        }
        else
        {
            throw new InputException(new SourceLocation(path), "no such file or folder (give a run directory of `planact run` or a records file)");
        }

        var trajectories = trajectoriesPath is null ? TrajectoryActions.None : await TrajectoryActions.ReadAsync(trajectoriesPath, cancellationToken);
        var index = await RecordIndex.BuildAsync(files, trajectories, cancellationToken);
        return new RecordBrowser(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(path))), index, trajectories, trajectoriesPath);
    }

    /// <summary>The page of one entry, its examples laid out by <paramref name="options"/>' profile.</summary>
    public async Task<RecordView> ViewAsync(IndexEntry entry, ExamplePageOptions options, CancellationToken cancellationToken = default)
    {
        var location = Index.Location(entry);
        var text = await Index.ReadAsync(entry, cancellationToken);
        if (entry.Outcome == RecordOutcomes.Quarantined)
        {
            var quarantined = QuarantineFile.Parse(text, location);
            var trajectory = Trajectories.OfItem(quarantined.Id);
            return new RecordView(entry, location, trajectory?.Task ?? "")
            {
                Actions = trajectory?.Actions,
                NoActionsBecause = trajectory is null ? NoTrajectory(quarantined.Id) : null,
                QuarantineReason = quarantined.Reason,
                Attempts = quarantined.Attempts,
            };
        }

        var rejections = await Index.RejectionsAsync(entry, cancellationToken);
        var strict = new ProblemLog();
        // Export's own hindsight screen, keeping every example (allow) and checking the reasoning too, names what it would flag.
        var screen = new HindsightScreen(allow: true, withReasoning: true);
        var builders = new ExampleBuilders(options, screen);
        switch (Index.RecordsOf(entry))
        {
            case TrainingRecordKind.Plans:
                return PlanRecordView(entry, PlanJsonl.Parse(text, location, strict)!, builders, rejections, screen);
            case TrainingRecordKind.Replans:
                return ReplanView(entry, ReplanJsonl.Parse(text, location, strict)!, builders, rejections, screen);
            default:
                return await ExampleViewAsync(entry, ExampleJsonl.Parse(text, location, strict)!, builders, rejections, cancellationToken);
        }
    }

    private RecordView PlanRecordView(IndexEntry entry, PlanRecord plan, ExampleBuilders builders, IReadOnlyList<string> rejections, HindsightScreen screen)
    {
        var trajectory = plan.Origin == PlanOrigin.Grounded ? Trajectories.Find(plan.Id) : null;
        var example = builders.Planner.TryBuild(plan);
        return new RecordView(entry, Index.Location(entry), plan.Task)
        {
            Plans = [new PlanView("plan", plan.Plan)],
            Actions = trajectory?.Actions,
            NoActionsBecause = trajectory is null ? (plan.Origin == PlanOrigin.Grounded ? NoTrajectory(plan.Id) : $"a {plan.Origin} plan: no trajectory was taken for it") : null,
            Reasoning = plan.Reasoning,
            AnnotationTrace = plan.AnnotationTrace,
            Label = plan.Label,
            Examples = [Example($"planner example ({builders.Profile.Name})", example, builders, PlannerExamples.ExampleId(plan.Id))],
            Rejections = rejections,
            Hindsight = Findings(screen),
        };
    }

    private RecordView ReplanView(IndexEntry entry, ReplanRecord record, ExampleBuilders builders, IReadOnlyList<string> rejections, HindsightScreen screen)
    {
        var examples = builders.Replanner.Build(record).ToDictionary(e => e.Source.Step!.Value);
        return new RecordView(entry, Index.Location(entry), record.Task)
        {
            Plans = [new PlanView("initial plan (round 0)", record.InitialPlan), .. record.Rounds.Select(r => new PlanView($"round {r.Round}: after action {r.Round - 1}", r.Plan))],
            Actions = [.. record.Actions.Select(ActionPrinter.Print)],
            Examples = [.. record.Rounds.Select(r => examples.TryGetValue(r.Round, out var example)
                ? new ExampleView($"replanner example, round {r.Round} ({builders.Profile.Name})", example.Messages, null)
                : Refused($"replanner example, round {r.Round} ({builders.Profile.Name})", builders, ReplannerExamples.ExampleId(record.Id, r.Round)))],
            Rejections = rejections,
            Hindsight = Findings(screen),
        };
    }

    private async Task<RecordView> ExampleViewAsync(
        IndexEntry entry, TrainingExample example, ExampleBuilders builders, IReadOnlyList<string> rejections, CancellationToken cancellationToken)
    {
        // Another profile lays an executor step out from the step contexts of its trajectory's earlier records, read in order.
        var strict = new ProblemLog();
        var earlier = new List<TrainingExample>();
        foreach (var step in Index.EarlierSteps(entry))
        {
            var located = Index.Location(step);
            var record = ExampleJsonl.Parse(await Index.ReadAsync(step, cancellationToken), located, strict)!;
            earlier.Add(record);
            builders.Executor(record, located);
        }

        var laidOut = builders.Executor(example, Index.Location(entry));
        var planRecord = example.Source.Plan is { } planId && Index.Find(AgentRoles.Name(AgentRole.Planner), planId) is { } planEntry
            ? PlanJsonl.Parse(await Index.ReadAsync(planEntry, cancellationToken), Index.Location(planEntry), strict)
            : null;
        var trajectory = example.Source.Trajectory is { } id ? Trajectories.Find(id) : null;
        IReadOnlyList<string>? actions = trajectory?.Actions
            ?? (example.Context is { } context && earlier.All(e => e.Context is not null) ? [.. earlier.Select(e => e.Context!.Action), context.Action] : null);
        // A dynamic executor step works under the latest replan: its grounding is in the trajectory's replan record.
        var replan = example.Context?.Role == AgentRole.DynamicExecutor && example.Source is { Trajectory: { } replanned, Step: { } at }
            && Index.Find(AgentRoles.Name(AgentRole.Replanner), replanned) is { } replanEntry
            ? (Record: ReplanJsonl.Parse(await Index.ReadAsync(replanEntry, cancellationToken), Index.Location(replanEntry), strict)!, Step: at)
            : default;
        IReadOnlyList<PlanView> plans = replan.Record is { } withRounds && replan.Step < withRounds.Actions.Count
            ? [new PlanView(replan.Step == 0 ? "initial plan, in force at step 0" : $"round {replan.Step}'s replan, in force at step {replan.Step}", withRounds.PlanBefore(replan.Step))]
            : planRecord is not null && example.Context?.Role != AgentRole.DynamicExecutor
                ? [new PlanView($"plan {planRecord.Id} (grounded)", planRecord.Plan)]
                : example.Context is { } withPlan && PlanText.Parse(withPlan.Plan, grounded: false) is { Plan: { } inForce }
                    ? [new PlanView("plan in force at this step", inForce)]
                    : [];
        return new RecordView(entry, Index.Location(entry), example.Task)
        {
            Plans = plans,
            Actions = actions,
            NoActionsBecause = actions is null ? NoTrajectory(example.Source.Trajectory ?? example.Id) : null,
            CurrentStep = example.Source.Step,
            Reasoning = example.Reasoning,
            Examples = [Example($"{entry.Kind} example ({builders.Profile.Name})", laidOut, builders, example.Id)],
            Rejections = rejections,
        };
    }

    /// <summary>The screen's findings, each with the example it is in (a replan record has one per round).</summary>
    private static IReadOnlyList<string> Findings(HindsightScreen screen) => [.. screen.Flagged.Select(f => $"{f.Id}: {f.Finding}")];

    private static ExampleView Example(string title, TrainingExample? example, ExampleBuilders builders, string id) =>
        example is null ? Refused(title, builders, id) : new ExampleView(title, example.Messages, null);

    private static ExampleView Refused(string title, ExampleBuilders builders, string id) =>
        new(title, null, builders.Refusals.Refused.LastOrDefault(r => r.Id == id)?.Reason ?? "the profile cannot make this example");

    private string NoTrajectory(string id) => TrajectoriesPath is null
        ? "the trajectories the records were made from were not given"
        : $"no trajectory \"{id}\" in {TrajectoriesPath}";

    private static IEnumerable<ViewedFile> QuarantinesBeside(IEnumerable<string> outputs) =>
        outputs.Select(o => (Output: o, Quarantine: QuarantineFile.PathBeside(o))).Where(o => File.Exists(o.Quarantine)).Select(o => new ViewedFile(o.Quarantine, ViewedFileRole.Quarantine, o.Output));
}
