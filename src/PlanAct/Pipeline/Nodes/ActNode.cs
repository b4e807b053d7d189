using System.Diagnostics;
using System.Globalization;
using PlanAct.Stages;
using PlanAct.Stages.Act;
using PlanAct.Stages.Annotate;
using PlanAct.Training;
using PlanAct.Trajectories;

namespace PlanAct.Pipeline.Nodes;

/// <summary>act: executor examples from the trajectories and annotate's plans into <c>executor.jsonl</c>. Options: max_page_tokens.</summary>
public sealed class ActNode : IPipelineNode
{
    public const string Output = "executor.jsonl";

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
        var outPath = context.PathFor(Output);
        var statsPath = StageStats.PathBeside(outPath);
        var pages = Read(options);
        var fingerprint = await StageStats.FingerprintAsync([input, plans.Path], string.Create(CultureInfo.InvariantCulture, $"act max_page_tokens={pages.MaxPageTokens} shard={context.Shard}"), cancellationToken);
        var output = new NodeOutput(outPath, "executor");
        if (File.Exists(outPath) && StageStats.TryRead(statsPath) is { } earlier && earlier.InputFingerprint == fingerprint)
        {
            Report(context, earlier, clock.Elapsed);
            return new NodeResult(Name, NodeStatus.Done, [output], $"up to date: {earlier.Ok} trajectories, inputs unchanged since the last run") { Stats = statsPath };
        }

        var errorsBefore = context.Problems.ErrorCount;
        var trajectories = TrajectoryFiles.ReadAsync(input, new TrajectoryReadOptions { Problems = context.Problems }, cancellationToken)
            .Where(t => context.Shard?.Contains(t.Id) != false);
        var report = await ActRun.WriteAsync(trajectories, input, plans.Path, outPath, pages, context.Problems, cancellationToken);
        var skipped = new Dictionary<string, int>(StringComparer.Ordinal);
        if (report.TrajectoriesWithoutPlan.Count > 0)
        {
            skipped["no plan (annotate quarantined or skipped it)"] = report.TrajectoriesWithoutPlan.Count;
        }

        var stats = new StageStats(
            Name, report.Planned + report.TrajectoriesWithoutPlan.Count, report.Planned, 0, report.TrajectoriesWithoutPlan.Count,
            new Dictionary<string, int>(), new Dictionary<string, int>(), skipped, [], clock.Elapsed.TotalSeconds, context.Shard?.ToString(), fingerprint);
        await StageStats.WriteAsync(statsPath, stats, cancellationToken);
        Report(context, stats, clock.Elapsed);
        return new NodeResult(
            Name,
            NodeStatus.Done,
            [output],
            $"{report.Examples} examples from {report.Planned} trajectories, {report.TrajectoriesWithoutPlan.Count} without a plan, {report.PagesCut} pages cut to {pages.MaxPageTokens} tokens")
        {
            Problems = context.Problems.ErrorCount - errorsBefore,
            Seconds = clock.Elapsed.TotalSeconds,
            Stats = statsPath,
        };
    }

    private void Report(PipelineContext context, StageStats stats, TimeSpan elapsed) =>
        context.Progress?.Report(new StageProgress(Name, stats.Total, 0, stats.Ok, 0, stats.Skipped, 0, elapsed, 0, 0, 0, 0));

    private static ExamplePageOptions Read(StageOptions options) =>
        new() { MaxPageTokens = options.OnlyThese("max_page_tokens").Int("max_page_tokens", ExamplePageOptions.DefaultMaxPageTokens) };
}
