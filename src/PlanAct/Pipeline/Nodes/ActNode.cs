using System.Diagnostics;
using System.Globalization;
using PlanAct.Stages;
using PlanAct.Stages.Act;
using PlanAct.Stages.Annotate;
using PlanAct.Training;
using PlanAct.Trajectories;

namespace PlanAct.Pipeline.Nodes;

/// <summary>
/// act: executor examples from the trajectories and annotate's plans, into <c>executor.jsonl</c>, or with <c>cot: true</c>
/// into <c>executor.cot.jsonl</c> with the teacher's reasoning for every action (a teacher stage, resumed from its
/// output and the ledger). Options: cot, max_page_tokens.
/// </summary>
public sealed class ActNode : IPipelineNode
{
    public string Name => "act";

    public IReadOnlyList<string> Requires => [AnnotateStage.StageName];

    public bool YieldsTrainingData => true;

    public bool ReadsAllTrainingData => false;

    public void Check(StageOptions options) => Read(options);

    public async Task<NodeResult> RunAsync(PipelineContext context, StageOptions options, CancellationToken cancellationToken)
    {
        if (context.TrainingDataOf(AnnotateStage.StageName) is not { } plans)
        {
            return NodeResult.Blocked(Name, $"waits for {AnnotateStage.StageName} to finish");
        }

        var clock = Stopwatch.StartNew();
        var input = context.Pipeline.Input("trajectories", Name);
        var (cot, pages) = Read(options);
        var act = await ActRun.ForPlansAsync(
            plans.Path,
            () => TrajectoryFiles.ReadAsync(input, new TrajectoryReadOptions { Problems = context.Problems }, cancellationToken).Where(t => context.Shard?.Contains(t.Id) != false),
            input,
            pages,
            context.Problems,
            cancellationToken);
        if (cot)
        {
            // Steps are this shard's already (their trajectories were filtered), so the runner gets no shard of its own.
            var outCot = context.PathFor("executor.cot.jsonl");
            var stage = new ExecutorReasoningStage(Name, context.Session.ModelFor(Name));
            var run = await new StageRunner<ExecutorStep, TrainingExample>(stage, context.Session).RunAsync(
                () => act.Steps(cancellationToken), outCot, context.Mode, context.Batch, null, context.Progress, cancellationToken);
            return TeacherNodeResult.Of(run, context.Mode, outCot, "executor", clock.Elapsed);
        }

        var outPath = context.PathFor("executor.jsonl");
        var statsPath = StageStats.PathBeside(outPath);
        var fingerprint = await StageStats.FingerprintAsync([input, plans.Path], string.Create(CultureInfo.InvariantCulture, $"act max_page_tokens={pages.MaxPageTokens} shard={context.Shard}"), cancellationToken);
        var output = new NodeOutput(outPath, "executor");
        if (File.Exists(outPath) && StageStats.TryRead(statsPath) is { } earlier && earlier.InputFingerprint == fingerprint)
        {
            Report(context, earlier, clock.Elapsed);
            return new NodeResult(Name, NodeStatus.Done, [output], $"up to date: {earlier.Ok} trajectories, inputs unchanged since the last run") { Stats = statsPath };
        }

        var errorsBefore = context.Problems.ErrorCount;
        var examples = await act.WriteAsync(outPath, cancellationToken);
        var planned = act.Paired;
        var withoutPlan = act.Pairing.TrajectoriesWithoutRecord.Count;
        var skipped = new Dictionary<string, int>(StringComparer.Ordinal);
        if (withoutPlan > 0)
        {
            skipped["no plan (annotate quarantined or skipped it)"] = withoutPlan;
        }

        var stats = new StageStats(
            Name, planned + withoutPlan, planned, 0, withoutPlan,
            new Dictionary<string, int>(), new Dictionary<string, int>(), skipped, [], clock.Elapsed.TotalSeconds, context.Shard?.ToString(), fingerprint);
        await StageStats.WriteAsync(statsPath, stats, cancellationToken);
        Report(context, stats, clock.Elapsed);
        return new NodeResult(
            Name,
            NodeStatus.Done,
            [output],
            $"{examples} examples from {planned} trajectories, {withoutPlan} without a plan, {act.Builder.PagesCut} pages cut to {pages.MaxPageTokens} tokens")
        {
            Problems = context.Problems.ErrorCount - errorsBefore,
            Seconds = clock.Elapsed.TotalSeconds,
            Stats = statsPath,
        };
    }

    private void Report(PipelineContext context, StageStats stats, TimeSpan elapsed) =>
        context.Progress?.Report(new StageProgress(Name, stats.Total, 0, stats.Ok, 0, stats.Skipped, 0, elapsed, 0, 0, 0, 0));

    private static (bool Cot, ExamplePageOptions Pages) Read(StageOptions options)
    {
        options.OnlyThese("cot", "max_page_tokens");
        return (options.Bool("cot", false), new ExamplePageOptions { MaxPageTokens = options.Int("max_page_tokens", ExamplePageOptions.DefaultMaxPageTokens) });
    }
}
