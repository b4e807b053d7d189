using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using PlanAct.Inspection;
using PlanAct.IO;
using PlanAct.Pipeline.Report;
using PlanAct.Stages;
using PlanAct.Stages.Catalogue;
using PlanAct.Teacher;
using PlanAct.Teacher.Batch;
using PlanAct.Teacher.Cost;
using PlanAct.Text;
using PlanAct.Trajectories;

namespace PlanAct.Pipeline;

/// <summary>How a pipeline is run (beside what its file says).</summary>
internal sealed record PipelineRunOptions
{
    public TeacherMode Mode { get; init; } = TeacherMode.Online;

    /// <summary>The Batch API, in batch mode.</summary>
    public BatchRunner? Batch { get; init; }

    /// <summary>Limits of the request files a dry run writes.</summary>
    public BatchSettings BatchSettings { get; init; } = new();

    public Shard? Shard { get; init; }

    public IProgress<StageProgress>? Progress { get; init; }

    public string CommandLine { get; init; } = "planact run";

    /// <summary>Names this run in run.json, the report, every log record and span.</summary>
    public string RunId { get; init; } = PipelineRunner.NewRunId();

    /// <summary>Structured events of the run (start, each stage, end), in a scope carrying the run id.</summary>
    public ILogger? Logger { get; init; }
}

/// <summary>What a pipeline run did.</summary>
internal sealed record PipelineResult(
    string RunId,
    TeacherMode Mode,
    RunInput? Input,
    IReadOnlyList<NodeResult> Stages,
    IReadOnlyList<CostEstimateLine> Estimate,
    IReadOnlyList<BatchRequestFile> RequestFiles,
    IReadOnlyCollection<InputProblem> Problems,
    string ManifestPath,
    string ReportPath);

/// <summary>
/// Runs a pipeline: checks every stage's options and the graph, validates the inputs (while the first nodes start: the
/// session admits no request, and no node without a teacher starts, before they pass), starts each node as soon as the
/// nodes before it (<see cref="PipelineGraph.Before"/>) have finished, so independent nodes run at the same time on the
/// one teacher session (a node whose requirements did not finish is blocked, not run), and in a dry run writes the Batch
/// API request files and the estimate of what is waiting. Results are reported in graph order, whatever order the nodes
/// finish in. Every run ends by writing <c>run.json</c> and <c>report.html</c> in the run directory.
/// </summary>
internal static partial class PipelineRunner
{
    public const string ManifestName = "run.json";

    /// <summary>A dry run's manifest: beside the real run's, never replacing it.</summary>
    public const string DryRunManifestName = "run.dryrun.json";

    public const string ReportName = "report.html";

    public static async Task<PipelineResult> RunAsync(
        PipelineDefinition pipeline, TeacherSession session, PipelineRunOptions options, PipelineRegistry? registry = null, CancellationToken cancellationToken = default)
    {
        var nodes = PipelineGraph.Order(pipeline, registry ?? PipelineRegistry.Default);
        var started = DateTimeOffset.UtcNow;
        var runId = options.RunId;
        var logger = options.Logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["planact.run_id"] = runId });
        using var span = TeacherTelemetry.Source.StartActivity("planact.run");
        span?.SetTag("planact.run_id", runId).SetTag("planact.pipeline", pipeline.Name).SetTag("planact.mode", options.Mode.ToString());
        var stageNames = string.Join(",", nodes.Select(n => n.Name));
        RunStarted(logger, runId, pipeline.Name, options.Mode, stageNames, pipeline.RunDir);
        Directory.CreateDirectory(pipeline.RunDir);

        // Every stage's page budgets count with it: loaded on another core while the input is checked, not before the
        // first request (a run with nothing left to do spends a third of a second of that core on it, and waits for none).
        TokenCounter.O200k.LoadInBackground();
        // The stages start while the input is checked (their outputs opened, their inputs indexed), but the session
        // admits no request, and no node that asks no teacher starts, before the check has passed.
        using var checkStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var checking = pipeline.Inputs.TryGetValue("trajectories", out var trajectories) ? ValidateAsync(trajectories, pipeline, checkStop.Token) : Task.FromResult<RunInput?>(null);
        session.AdmitAfter(checking);
        IReadOnlyList<NodeResult> ordered = [];
        IReadOnlyList<InputProblem> problems = [];
        try
        {
            (ordered, problems) = await RunNodesAsync(nodes, pipeline, session, options, checking, logger, cancellationToken);
        }
        catch (Exception e)
        {
            // A stage may meet a problem of the input before the check does: then the check's account of it (how many,
            // how to go on) is the run's error, thrown below. Any other failure is the run's at once.
            if (e is not InputException)
            {
                await checkStop.CancelAsync();
            }

            await ((Task)checking).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (!checking.IsFaulted)
            {
                throw;
            }
        }
        finally
        {
            session.AdmitAfter(Task.CompletedTask);
        }

        var input = await checking;

        var pending = ordered.SelectMany(r => r.Run?.Pending ?? []).ToList();
        var estimate = CostEstimate.Of(pending, session.Options.Prices, session.Options.Limits.AssumedOutputTokens);
        var files = new List<BatchRequestFile>();
        if (options.Mode == TeacherMode.DryRun)
        {
            foreach (var stage in pending.GroupBy(p => p.Request.Stage, StringComparer.Ordinal))
            {
                files.AddRange(await BatchRequestFiles.WriteAsync(stage, Path.Combine(pipeline.RunDir, "batches"), options.BatchSettings, stage.Key, cancellationToken));
            }
        }

        var names = nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var costs = (await session.Ledger.TotalsAsync(cancellationToken))
            .Where(t => names.Contains(t.Stage))
            .Select(t => new RunCost(t.Stage, t.Model, t.Requests, t.Answered, t.InputTokens, t.OutputTokens, t.Sends, t.Cost(session.Options.Prices)))
            .ToList();
        var manifest = new RunManifest(
            runId, pipeline.Name, pipeline.Path, options.CommandLine, options.Mode.ToString().ToLowerInvariant(), started, DateTimeOffset.UtcNow,
            session.Options.ToString(), LedgerPath(pipeline.RunDir, session.Ledger.Path), options.Shard?.ToString(),
            input,
            [.. ordered.Select(r => new RunStage(
                r.Stage, r.Status.ToString().ToLowerInvariant(), r.Summary, r.Seconds, r.Problems,
                [.. r.Outputs.Select(o => new RunOutput(Relative(pipeline.RunDir, o.Path), o.TrainingData))],
                r.Stats is null ? null : Relative(pipeline.RunDir, r.Stats)))],
            costs,
            estimate,
            [.. files.Select(f => new RunRequestFile(Relative(pipeline.RunDir, f.Path), f.Model, f.Keys.Count, f.Bytes))],
            estimate.Count > 0 ? CostEstimate.Total(estimate) : null,
            costs.Count > 0 ? RunCost.Total(costs) : null);
        var manifestPath = Path.Combine(pipeline.RunDir, options.Mode == TeacherMode.DryRun ? DryRunManifestName : ManifestName);
        await RunManifest.WriteAsync(manifestPath, manifest, cancellationToken);
        var reportPath = Path.Combine(pipeline.RunDir, ReportName);
        await RunReport.WriteAsync(pipeline.RunDir, reportPath, cancellationToken);
        var done = ordered.Count(r => r.Status == NodeStatus.Done);
        RunFinished(logger, runId, done, ordered.Count, pending.Count, reportPath);
        return new PipelineResult(runId, options.Mode, input, ordered, estimate, files, problems, manifestPath, reportPath);
    }

    /// <summary>
    /// Starts every node once the nodes before it have finished. A node sees the results of the nodes upstream of it
    /// only, as they were when it started, and keeps its own problem log (the run's problems are theirs in graph order),
    /// so what it reports does not depend on which other node finished first. When a node throws, the running ones are
    /// cancelled, the ones not started never start, and once all have stopped the first exception is thrown.
    /// </summary>
    private static async Task<(IReadOnlyList<NodeResult> Results, IReadOnlyList<InputProblem> Problems)> RunNodesAsync(
        IReadOnlyList<IPipelineNode> nodes, PipelineDefinition pipeline, TeacherSession session, PipelineRunOptions options, Task<RunInput?> checking, ILogger logger, CancellationToken cancellationToken)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Input that does not pass stops every stage at once (if any is still running: the check may end after them all).
        _ = checking.ContinueWith(
            _ =>
            {
                try
                {
                    stopping.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // Every node had ended.
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        using var lane = new CpuWorkLane(Environment.ProcessorCount);
        Exception? failure = null;
        var runs = new Dictionary<string, Task<NodeRun?>>(StringComparer.Ordinal);
        var upstream = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        var sampling = new ConcurrentBag<Task>();
        // Each node keeps its own problem log, so what it counts does not depend on the nodes running beside it.
        var logs = nodes.ToDictionary(n => n.Name, _ => new ProblemLog(pipeline.SkipInvalid), StringComparer.Ordinal);
        // A node may follow several others, and be followed by several.
        var followers = new List<(string Node, StageFollower Follower)>();
        try
        {
            foreach (var node in nodes)
            {
                foreach (var follower in node.Follow(Context(node, new Dictionary<string, NodeResult>(), []), pipeline.OptionsOf(node.Name)))
                {
                    if (nodes.Any(n => n.Name == follower.Stage))
                    {
                        followers.Add((node.Name, follower));
                    }
                    else
                    {
                        // Only a node of this run is followed.
                        await follower.DisposeAsync();
                    }
                }
            }

            foreach (var (node, follower) in followers)
            {
                // What a follower makes ahead of its node's run is that node's to hand on, to the node's own followers;
                // all of them start now, each waiting for what it follows to open its output.
                follower.HandOnTo(ItemFeed.Of(FollowersOf(node)));
                follower.Start(lane, stopping.Token);
            }

            foreach (var node in nodes)
            {
                // In graph order the nodes before this one have their tasks already.
                var before = PipelineGraph.Before(node, nodes).ToList();
                upstream[node.Name] = before.SelectMany(b => upstream[b].Append(b)).ToHashSet(StringComparer.Ordinal);
                runs[node.Name] = RunWhenReadyAsync(node, [.. (node.StartsEarly ? node.Requires : before).Select(b => runs[b])], [.. nodes.Where(n => upstream[node.Name].Contains(n.Name)).Select(n => (n.Name, runs[n.Name]))]);
            }

            var finished = await Task.WhenAll(nodes.Select(n => runs[n.Name]));
            await Task.WhenAll(sampling);
            if (failure is not null)
            {
                ExceptionDispatchInfo.Throw(failure);
            }

            return ([.. finished.Select(f => f!.Result)], [.. finished.SelectMany(f => f!.Problems.Problems).Distinct()]);
        }
        finally
        {
            foreach (var (_, follower) in followers)
            {
                await follower.DisposeAsync();
            }
        }

        PipelineContext Context(IPipelineNode node, IReadOnlyDictionary<string, NodeResult> results, IReadOnlyList<(string Stage, Task<NodeResult?> Finished)> upstreamResults) => new()
        {
            Pipeline = pipeline,
            Session = session,
            Mode = options.Mode,
            Batch = options.Batch,
            Shard = options.Shard,
            Progress = options.Progress,
            Problems = logs[node.Name],
            Results = results,
            Upstream = upstreamResults,
            CommandLine = options.CommandLine,
            Feed = ItemFeed.Of(FollowersOf(node.Name)),
            Followers = [.. followers.Where(f => f.Node == node.Name).Select(f => f.Follower)],
        };

        // The feeds of the followers of a node.
        IReadOnlyList<ItemFeed> FollowersOf(string node) => [.. followers.Where(f => f.Follower.Stage == node).Select(f => f.Follower.Feed)];

        // Never throws: a failure is kept in `failure` and stops the run.
        async Task<NodeRun?> RunWhenReadyAsync(IPipelineNode node, IReadOnlyList<Task<NodeRun?>> before, IReadOnlyList<(string Stage, Task<NodeRun?> Run)> upstreamRuns)
        {
            // Yields first, so the nodes that become ready together start together rather than one inside another's continuation.
            if ((await Task.WhenAll(before).ConfigureAwait(ConfigureAwaitOptions.ForceYielding)).Contains(null))
            {
                return null;
            }

            try
            {
                stopping.Token.ThrowIfCancellationRequested();
                var results = new Dictionary<string, NodeResult>(StringComparer.Ordinal);
                foreach (var (_, run) in node.StartsEarly ? [] : upstreamRuns)
                {
                    var result = (await run)!.Result;
                    results[result.Stage] = result;
                }

                var context = Context(node, results, [.. upstreamRuns.Select(u => (u.Stage, ResultOf(u.Run)))]);
                if (!node.AsksTeacher(pipeline.OptionsOf(node.Name)))
                {
                    // What a node without a teacher writes is not gated by the session: it starts once the input passed.
                    await checking.WaitAsync(stopping.Token);
                }

                var finished = await RunNodeAsync(node, context, checking, FollowersOf(node.Name), options, logger, lane, stopping.Token);
                if (finished.Status == NodeStatus.Done && options.Mode != TeacherMode.DryRun)
                {
                    // The report's samples of this stage's training data, made while the other stages run.
                    foreach (var output in finished.Outputs.Where(o => o.TrainingData is not null))
                    {
                        sampling.Add(RecordSamples.PrepareAsync(pipeline.RunDir, output.Path, RunReport.MaxRecordsPerFile, stopping.Token));
                    }
                }

                return new NodeRun(finished, context.Problems);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, e, null);
                await stopping.CancelAsync();
                return null;
            }
        }
    }

    private static async Task<NodeResult?> ResultOf(Task<NodeRun?> run) => (await run)?.Result;

    /// <param name="node">The node, ready to run: the nodes before it have finished.</param>
    /// <param name="context">What it runs with.</param>
    /// <param name="checking">The check of the run's input, for what a blocked node would ask.</param>
    /// <param name="followedBy">The feeds of the nodes that follow this one: completed when it ends.</param>
    /// <param name="options">How the pipeline runs.</param>
    /// <param name="logger">Gets the node's end.</param>
    /// <param name="lane">Where nodes that ask no teacher run.</param>
    /// <param name="cancellationToken">Stops the node.</param>
    private static async Task<NodeResult> RunNodeAsync(
        IPipelineNode node,
        PipelineContext context,
        Task<RunInput?> checking,
        IReadOnlyList<ItemFeed> followedBy,
        PipelineRunOptions options,
        ILogger logger,
        CpuWorkLane lane,
        CancellationToken cancellationToken)
    {
        using var stageSpan = TeacherTelemetry.Source.StartActivity($"planact.stage {node.Name}");
        stageSpan?.SetTag("planact.run_id", options.RunId).SetTag("planact.stage", node.Name);
        var unfinished = node.Requires.Where(r => context.Results[r].Status != NodeStatus.Done).ToList();
        var stageOptions = context.Pipeline.OptionsOf(node.Name);
        NodeResult result;
        if (unfinished.Count > 0)
        {
            var input = await checking;
            result = NodeResult.Blocked(node.Name, $"waits for {string.Join(", ", unfinished)} to finish" + (input is not null && node.ExpectedRequests(input, stageOptions) is { } expected ? $"; then {expected}" : ""));
        }
        else
        {
            try
            {
                result = node.AsksTeacher(stageOptions) ? await node.RunAsync(context, stageOptions, cancellationToken)
                    : await lane.RunAsync(() => node.RunAsync(context, stageOptions, cancellationToken), cancellationToken);
            }
            finally
            {
                foreach (var feed in followedBy)
                {
                    feed.Complete();
                }
            }
        }

        stageSpan?.SetTag("planact.status", result.Status.ToString()).SetTag("planact.problems", result.Problems);
        StageFinished(logger, node.Name, result.Status, result.Seconds, result.Problems, result.Summary);
        return result;
    }

    /// <summary>A node's result and the input problems it met.</summary>
    private sealed record NodeRun(NodeResult Result, ProblemLog Problems);

    /// <summary>
    /// Reads the trajectories once before anything is sent (parsing only: page views and tokens are the stages' work):
    /// invalid input stops the run unless skip_invalid is set. Gives the counts the report shows. The last run's counts
    /// stand when the file and how it is read are unchanged (it was valid then, so it is now).
    /// </summary>
    private static async Task<RunInput?> ValidateAsync(string path, PipelineDefinition pipeline, CancellationToken cancellationToken)
    {
        var fingerprint = await StageStats.FingerprintAsync(
            [path], $"input skip_invalid={pipeline.SkipInvalid} replace_invalid_utf8={pipeline.ReplaceInvalidUtf8} format={pipeline.Format}", cancellationToken);
        if (EarlierInput(pipeline.RunDir) is { } earlier && earlier.Fingerprint == fingerprint)
        {
            return earlier;
        }

        var problems = new ProblemLog(skipInvalid: true);
        var steps = new List<int>();
        var sites = new SortedDictionary<string, int>(StringComparer.Ordinal);
        await foreach (var trajectory in TrajectoryFiles.ReadAsync(path, new TrajectoryReadOptions { Problems = problems, ReplaceInvalidUtf8 = pipeline.ReplaceInvalidUtf8, Format = pipeline.Format }, cancellationToken))
        {
            steps.Add(trajectory.Steps.Count);
            sites[trajectory.Site] = sites.GetValueOrDefault(trajectory.Site) + 1;
        }

        if (!pipeline.SkipInvalid && problems.Problems.FirstOrDefault(p => p.Severity == InputProblem.Error) is { } first)
        {
            throw new InputException(
                first.Location,
                $"{first.Reason} ({problems.ErrorCount} invalid in all; `planact inspect {path}` lists them, or set skip_invalid: true in the pipeline to go on without them)");
        }

        return new RunInput(steps.Count, steps.Sum(), sites, Distribution.Of(steps), fingerprint);
    }

    /// <summary>The input of the run directory's last run, if its manifest can be read.</summary>
    private static RunInput? EarlierInput(string runDir)
    {
        var path = Path.Combine(runDir, ManifestName);
        try
        {
            return File.Exists(path) ? RunManifest.Read(path).Input : null;
        }
        catch (InputException)
        {
            // Only a saving: an unreadable manifest means reading the input again.
            return null;
        }
    }

    /// <summary>A run id: the start time (UTC) and four random hex digits, e.g. 20260101T120000Z-3f2a.</summary>
    public static string NewRunId() => string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.UtcNow:yyyyMMdd'T'HHmmss'Z'}-{Random.Shared.Next(0x10000):x4}");

    [LoggerMessage(Level = LogLevel.Information, Message = "run {RunId} of pipeline {Pipeline} started ({Mode}): stages {Stages}, run dir {RunDir}")]
    private static partial void RunStarted(ILogger logger, string runId, string pipeline, TeacherMode mode, string stages, string runDir);

    [LoggerMessage(Level = LogLevel.Information, Message = "stage {Stage} {Status} in {Seconds:0.0} s, {Problems} items left out: {Summary}")]
    private static partial void StageFinished(ILogger logger, string stage, NodeStatus status, double seconds, int problems, string summary);

    [LoggerMessage(Level = LogLevel.Information, Message = "run {RunId} finished: {Done} of {Stages} stages done, {Pending} requests waiting; report {Report}")]
    private static partial void RunFinished(ILogger logger, string runId, int done, int stages, int pending, string report);

    private static string Relative(string runDir, string path) => Path.GetRelativePath(runDir, path).Replace('\\', '/');

    /// <summary>A ledger in the run directory is named relative to it, so a copy of the directory reports from its own copy.</summary>
    private static string LedgerPath(string runDir, string ledger)
    {
        var relative = Relative(runDir, ledger);
        return relative.StartsWith("../", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? ledger : relative;
    }
}
