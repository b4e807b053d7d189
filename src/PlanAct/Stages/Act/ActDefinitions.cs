using System.Diagnostics;
using PlanAct.IO;
using PlanAct.Pipeline;
using PlanAct.Plans;
using PlanAct.Stages.Annotate;
using PlanAct.Stages.Catalogue;
using PlanAct.Stages.Replan;
using PlanAct.Training;
using PlanAct.Trajectories;

namespace PlanAct.Stages.Act;

/// <summary>act: executor examples with the global plan in context; with cot, the teacher's reasoning for every action.</summary>
internal sealed class ActDefinition() : ExecutorDataDefinition<Plan>(
    "act",
    new StageInputRecords(AnnotateStage.StageName, "--plans", "Plan records (planact/plan@2 JSONL); a plan is matched to the trajectory with its id.", "a plan", "plans"),
    "executor",
    ActRun.ForPlansAsync)
{
    public override int Rank => 20;

    public override string Description =>
        "Make executor examples: one per step of every trajectory that has a plan, the plan in the system message and the ground-truth action as target." + CotSentence;

    public override IReadOnlyList<string> Examples => WithCot("planact act --input samples/trajectories.jsonl --plans plans.jsonl --out executor.jsonl");
}

/// <summary>dynamic-act: executor examples with the latest replan in context; with cot, the teacher's reasoning for every action.</summary>
internal sealed class DynamicActDefinition() : ExecutorDataDefinition<ReplanRecord>(
    StageName,
    new StageInputRecords(ReplanStage.StageName, "--replans", "Replan records (planact/replan@2 JSONL from planact replan), matched to the trajectory with their id.", "replans", "replan records"),
    "dynamic-executor",
    ActRun.ForReplansAsync)
{
    public const string StageName = "dynamic-act";

    public override int Rank => 70;

    public override string Description =>
        "Make dynamic executor examples: one per step of every trajectory that has replans, the latest plan before the step's action in the system message "
        + "(the initial plan at step 0) and the ground-truth action as target." + CotSentence;

    public override IReadOnlyList<string> Examples => WithCot("planact dynamic-act --input samples/trajectories.jsonl --replans replans.jsonl --out dynamic-executor.jsonl");

    /// <summary>Without cot, the examples of each trajectory are built as replan finishes it (<see cref="ReplanExamplesFollower"/>).</summary>
    public override StageFollower? FollowerFor(StageSetup setup) =>
        setup.Options.Bool("cot") ? null : new ReplanExamplesFollower(problems => Trajectories(setup, setup.Shard, problems)(), setup.Inputs["--input"], setup.OutPath, Pages(setup), setup.Problems);

    protected override async Task<IExecutorExamples<ReplanRecord>?> FollowedAsync(StageSetup setup, CancellationToken cancellationToken) =>
        setup.Follower is ReplanExamplesFollower follower ? await follower.ExamplesAsync(setup.Inputs[Records.Flag], cancellationToken) : null;
}

/// <summary>The records an executor-data stage pairs with the trajectories, and how its messages name them.</summary>
internal sealed record StageInputRecords(string Stage, string Flag, string Help, string Singular, string Plural);

/// <summary>
/// An executor-data stage: every step's example under the records of the stage it requires. Without cot it asks no
/// teacher (in a pipeline it is redone only when its inputs' fingerprint changes); with cot it is a teacher stage over
/// the steps, resumed from its output and the ledger, and sharded by step. CoT output has its own file, so switching
/// never mixes records.
/// </summary>
internal abstract class ExecutorDataDefinition<TRecord>(
    string name,
    StageInputRecords records,
    string output,
    Func<string, Func<IAsyncEnumerable<Trajectory>>, string, ExamplePageOptions, ProblemLog, CancellationToken, Task<ActRun<TRecord>>> open) : StageDefinition
{
    protected const string CotSentence =
        " With --cot the teacher writes the reasoning behind each action; an answer whose action differs from the ground truth is re-asked, then quarantined.";

    public override string Name => name;

    protected StageInputRecords Records => records;

    public override IReadOnlyList<StageInput> Inputs =>
    [
        StageInput.Trajectories("Trajectories: a WebArena-Lite SFT .json, a planact .jsonl, or a folder of them."),
        StageInput.OutputOf(records.Stage, records.Flag, records.Help),
    ];

    public override StageOutput Output => new(
        "The executor examples to write (planact/example@1 JSONL). Without --cot written whole or not at all; with --cot appended as answers arrive, and a re-run adds only what is missing.",
        options => options.Bool("cot") ? $"{output}.cot.jsonl" : $"{output}.jsonl",
        output);

    public override IReadOnlyList<StageOption> Options =>
    [
        new("cot", StageOptionType.Bool, "Ask the teacher for the reasoning behind each known action (kept apart in the record's reasoning); needs a teacher (the teacher flags).")
        {
            Default = false,
            UnderBatch = true,
        },
        new("max_page_tokens", StageOptionType.Int, "Cut the current page of each executor example to this many tokens (o200k), at a tag or word boundary.")
        {
            Default = ExamplePageOptions.DefaultMaxPageTokens,
        },
        new("reasoning", StageOptionType.Choice, "Without --cot: none, or source to keep the source agent's own reasoning for each step (ADP description, WebVoyager Thought) as the example's reasoning. Not with --cot.")
        {
            Choices = ["none", "source"],
            Default = "none",
        },
    ];

    public override string InvalidItems => $"trajectories and {records.Plural}";

    public override string TeacherSwitch => "cot";

    public override string ExpectedRequests(RunInput input, StageOptionValues options) => $"{input.Steps} requests (one per step)";

    protected static IReadOnlyList<string> WithCot(string example) =>
        [example, example.Replace(".jsonl --out ", ".jsonl --cot --model gpt-4o-mini --out ", StringComparison.Ordinal)];

    public override async Task<StageJob> OpenAsync(StageSetup setup, CancellationToken cancellationToken)
    {
        var cot = setup.Options.Bool("cot");
        var input = setup.Inputs["--input"];
        // With cot the stage runner takes the shard by step; without, the trajectories are this shard's.
        var shard = cot ? null : setup.Shard;
        var sourceReasoning = setup.Options.Text("reasoning") == "source";
        if (cot && sourceReasoning)
        {
            throw new InputException(new SourceLocation("--reasoning"), "--reasoning source keeps the source agent's reasoning; --cot asks the teacher for it: choose one");
        }

        var pages = Pages(setup);
        if (!cot && await FollowedAsync(setup, cancellationToken) is { } followed)
        {
            return new ExamplesJob(this, followed, setup, pages) { Followed = true };
        }

        var act = await open(setup.Inputs[records.Flag], Trajectories(setup, shard), input, pages, setup.Problems, cancellationToken);
        return cot
            ? new ItemStageJob<ExecutorStep, TrainingExample>(session => new ExecutorReasoningStage(Name, session.ModelFor(Name)), () => act.Steps(cancellationToken), setup.OutPath, setup.Shard, output)
            {
                After = () => [Pairing(act, setup, "")],
            }
            : new ExamplesJob(this, act, setup, pages);
    }

    /// <summary>
    /// The examples prepared while the records' stage ran in the same pipeline run (<see cref="StageDefinition.FollowerFor"/>),
    /// or null when there are none or they are not complete: then the stage reads its inputs and builds every example.
    /// </summary>
    protected virtual Task<IExecutorExamples<TRecord>?> FollowedAsync(StageSetup setup, CancellationToken cancellationToken) => Task.FromResult<IExecutorExamples<TRecord>?>(null);

    /// <summary>A fresh pass over the trajectories of the input (of <paramref name="shard"/>), each time it is called; problems to <paramref name="problems"/> (the stage's by default).</summary>
    protected static Func<IAsyncEnumerable<Trajectory>> Trajectories(StageSetup setup, Shard? shard, ProblemLog? problems = null) =>
        () => TrajectoryFiles.ReadAsync(setup.Inputs["--input"], setup.TrajectoryOptions with { Problems = problems ?? setup.Problems }).Where(t => shard?.Contains(t.Id) != false);

    protected static ExamplePageOptions Pages(StageSetup setup) =>
        new() { MaxPageTokens = setup.Options.Int("max_page_tokens"), SourceReasoning = setup.Options.Text("reasoning") == "source" };

    /// <summary>What pairing made and left out, as a command says it.</summary>
    private string Pairing(IExecutorExamples<TRecord> act, StageSetup setup, string made) =>
        $"{Name}: {made}{act.Pairing.TrajectoriesWithoutRecord.Count} trajectories skipped without {records.Singular}, "
        + $"{act.Pairing.RecordsWithoutTrajectory.Count} {records.Plural} without a trajectory, {setup.Problems.ErrorCount} skipped as invalid, "
        + $"{act.PagesCut} pages cut to {setup.Options.Int("max_page_tokens")} tokens -> {setup.OutPath}";

    /// <summary>The examples without a teacher, written whole.</summary>
    private sealed class ExamplesJob(ExecutorDataDefinition<TRecord> stage, IExecutorExamples<TRecord> act, StageSetup setup, ExamplePageOptions pages) : StageJob
    {
        /// <summary>The examples were built while the records' stage ran.</summary>
        public bool Followed { get; init; }

        public override async Task<NodeResult> RunAsync(StageRunContext context, CancellationToken cancellationToken)
        {
            var clock = Stopwatch.StartNew();
            var outPath = setup.OutPath;
            var statsPath = StageStats.PathBeside(outPath);
            var written = new NodeOutput(outPath, stage.Output.TrainingData);
            var errorsBefore = setup.Problems.ErrorCount;
            var examples = await act.WriteAsync(outPath, cancellationToken);
            var planned = act.Paired;
            var withoutRecord = act.Pairing.TrajectoriesWithoutRecord.Count;
            var source = stage.Records.Stage;
            string? stats = null;
            if (setup.InPipeline)
            {
                var skipped = new Dictionary<string, int>(StringComparer.Ordinal);
                if (withoutRecord > 0)
                {
                    skipped[$"no {source} output for it ({source} quarantined or skipped it)"] = withoutRecord;
                }

                var counts = new StageStats(
                    stage.Name, planned + withoutRecord, planned, 0, withoutRecord,
                    new Dictionary<string, int>(), new Dictionary<string, int>(), skipped, [], clock.Elapsed.TotalSeconds, setup.Shard?.ToString());
                await StageStats.WriteAsync(statsPath, counts, cancellationToken);
                Report(context, counts, clock.Elapsed);
                stats = statsPath;
            }

            return new NodeResult(
                stage.Name,
                NodeStatus.Done,
                [written],
                $"{examples} examples from {planned} trajectories, {withoutRecord} without a {source} record, {act.PagesCut} pages cut to {pages.MaxPageTokens} tokens")
            {
                Problems = setup.Problems.ErrorCount - errorsBefore,
                Seconds = clock.Elapsed.TotalSeconds,
                Stats = stats,
                Details = [stage.Pairing(act, setup, $"{examples} examples from {planned} trajectories ok, "), .. Followed ? [$"{stage.Name}: built as {source} finished each trajectory"] : Array.Empty<string>()],
            };
        }

        private void Report(StageRunContext context, StageStats stats, TimeSpan elapsed) =>
            context.Progress?.Report(new StageProgress(stage.Name, stats.Total, 0, stats.Ok, 0, stats.Skipped, 0, elapsed, 0, 0, 0, 0));
    }
}
