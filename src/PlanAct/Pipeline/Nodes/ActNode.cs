using System.Diagnostics;
using System.Globalization;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Stages;
using PlanAct.Stages.Act;
using PlanAct.Stages.Annotate;
using PlanAct.Stages.Replan;
using PlanAct.Training;
using PlanAct.Trajectories;

namespace PlanAct.Pipeline.Nodes;

/// <summary>
/// act: executor examples from the trajectories and annotate's plans, into <c>executor.jsonl</c>, or with <c>cot: true</c>
/// into <c>executor.cot.jsonl</c> with the teacher's reasoning for every action. Options: cot, max_page_tokens.
/// </summary>
public sealed class ActNode() : ExecutorDataNode<Plan>("act", AnnotateStage.StageName, "executor", ActRun.ForPlansAsync);

/// <summary>
/// dynamic-act: executor examples under the latest replan, from the trajectories and replan's records, into
/// <c>dynamic-executor.jsonl</c> (<c>dynamic-executor.cot.jsonl</c> with <c>cot: true</c>). Options: cot, max_page_tokens.
/// </summary>
public sealed class DynamicActNode() : ExecutorDataNode<ReplanRecord>("dynamic-act", ReplanStage.StageName, "dynamic-executor", ActRun.ForReplansAsync);

/// <summary>
/// An executor-data stage: every step's example under the records of the stage it requires. Without CoT it asks no
/// teacher and is redone only when its inputs' fingerprint changes; with CoT it is a teacher stage resumed from its
/// output and the ledger. CoT output has its own file, so switching never mixes records.
/// </summary>
public abstract class ExecutorDataNode<TRecord>(
    string name,
    string source,
    string output,
    Func<string, Func<IAsyncEnumerable<Trajectory>>, string, ExamplePageOptions, ProblemLog, CancellationToken, Task<ActRun<TRecord>>> open) : IPipelineNode
{
    public string Name => name;

    public IReadOnlyList<string> Requires => [source];

    public bool YieldsTrainingData => true;

    public bool ReadsAllTrainingData => false;

    public void Check(StageOptions options) => Read(options);

    public async Task<NodeResult> RunAsync(PipelineContext context, StageOptions options, CancellationToken cancellationToken)
    {
        if (context.OutputOf(source) is not { } records)
        {
            return NodeResult.Blocked(Name, $"waits for {source} to finish");
        }

        var clock = Stopwatch.StartNew();
        var input = context.Pipeline.Input("trajectories", Name);
        var (cot, pages) = Read(options);
        var act = await open(
            records.Path,
            () => TrajectoryFiles.ReadAsync(input, new TrajectoryReadOptions { Problems = context.Problems }, cancellationToken).Where(t => context.Shard?.Contains(t.Id) != false),
            input,
            pages,
            context.Problems,
            cancellationToken);
        if (cot)
        {
            // Steps are this shard's already (their trajectories were filtered), so the runner gets no shard of its own.
            var outCot = context.PathFor($"{output}.cot.jsonl");
            var stage = new ExecutorReasoningStage(Name, context.Session.ModelFor(Name));
            var run = await new StageRunner<ExecutorStep, TrainingExample>(stage, context.Session).RunAsync(
                () => act.Steps(cancellationToken), outCot, context.Mode, context.Batch, context.Progress, cancellationToken);
            return TeacherNodeResult.Of(run, context.Mode, outCot, output, clock.Elapsed);
        }

        var outPath = context.PathFor($"{output}.jsonl");
        var statsPath = StageStats.PathBeside(outPath);
        var fingerprint = await StageStats.FingerprintAsync([input, records.Path], string.Create(CultureInfo.InvariantCulture, $"{name} max_page_tokens={pages.MaxPageTokens} shard={context.Shard}"), cancellationToken);
        var written = new NodeOutput(outPath, output);
        if (File.Exists(outPath) && StageStats.TryRead(statsPath) is { } earlier && earlier.InputFingerprint == fingerprint)
        {
            Report(context, earlier, clock.Elapsed);
            return new NodeResult(Name, NodeStatus.Done, [written], $"up to date: {earlier.Ok} trajectories, inputs unchanged since the last run") { Stats = statsPath };
        }

        var errorsBefore = context.Problems.ErrorCount;
        var examples = await act.WriteAsync(outPath, cancellationToken);
        var planned = act.Paired;
        var withoutPlan = act.Pairing.TrajectoriesWithoutRecord.Count;
        var skipped = new Dictionary<string, int>(StringComparer.Ordinal);
        if (withoutPlan > 0)
        {
            skipped[$"no {source} output for it ({source} quarantined or skipped it)"] = withoutPlan;
        }

        var stats = new StageStats(
            Name, planned + withoutPlan, planned, 0, withoutPlan,
            new Dictionary<string, int>(), new Dictionary<string, int>(), skipped, [], clock.Elapsed.TotalSeconds, context.Shard?.ToString(), fingerprint);
        await StageStats.WriteAsync(statsPath, stats, cancellationToken);
        Report(context, stats, clock.Elapsed);
        return new NodeResult(
            Name,
            NodeStatus.Done,
            [written],
            $"{examples} examples from {planned} trajectories, {withoutPlan} without a {source} record, {act.Builder.PagesCut} pages cut to {pages.MaxPageTokens} tokens")
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
