using System.Text.Json;
using System.Text.Json.Serialization;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Stages.Thinking;
using PlanAct.Teacher;
using PlanAct.Teacher.Batch;

namespace PlanAct.Stages.Generation;

/// <summary>How a generation run ended.</summary>
/// <param name="Summary">The last pass of the stage runner over the requests (costs, pending batch requests, stops).</param>
/// <param name="Report">What was selected; null for a dry run.</param>
/// <param name="StoppedBecause">Why the run ended before its target, or null.</param>
internal sealed record GenerationResult(StageSummary Summary, GenerationReport? Report, string? StoppedBecause)
{
    /// <summary>CoT: accepted pairs left out because their reasoning never passed its check (in the thinking round's quarantine file).</summary>
    public int WithoutReasoning { get; init; }
}

/// <summary>
/// Runs generation requests and selects their pairs (expand and augment). Requests are asked in waves through the
/// <see cref="StageRunner{TIn,TOut}"/> (concurrency, ledger, batch, dry run, budget), answers kept in
/// <c>&lt;out&gt;.answers.jsonl</c>; after each wave every answer so far is selected again in request order, and
/// with a target the next wave asks for about as many requests as the pairs still missing need, until the target
/// or the request budget is reached. Selection in request order makes the output independent of answer timing,
/// and a re-run finds every answer in the answers file or the ledger.
/// </summary>
internal sealed class GenerationRun(TeacherSession session, GenerationStage stage, SeedRepository seeds, Func<PairFilter> newFilter, string origin)
{
    /// <summary>Records wanted; null: every request once (augment).</summary>
    public int? Target { get; init; }

    /// <summary>Pairs one request asks for, to size the waves.</summary>
    public int PerRequest { get; init; } = 1;

    /// <summary>Requests this run may cover at most.</summary>
    public int MaxRequests { get; init; } = int.MaxValue;

    /// <summary>
    /// CoT: the round that gives every accepted pair its planner reasoning once the selection is final (answers in
    /// <c>&lt;out&gt;.thinking.jsonl</c>); only pairs with reasoning are written. Null: pairs are written as accepted.
    /// </summary>
    public GeneratedPlanThinking? Thinking { get; init; }

    /// <summary>Where the CoT round keeps its answers: <c>&lt;out&gt;.thinking.jsonl</c> (its quarantine file beside it).</summary>
    public static string ThinkingPath(string outPath) => OutputPaths.Beside(outPath, "thinking.jsonl");

    public async Task<GenerationResult> RunAsync(
        IEnumerable<GenerationRequest> requests,
        string outPath,
        TeacherMode mode,
        BatchRunner? batch = null,
        IProgress<StageProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var runner = new StageRunner<GenerationRequest, GeneratedAnswer>(stage, session) { DropsRecordsOfOtherItems = true };
        var answersPath = OutputPaths.Beside(outPath, "answers.jsonl");
        var count = Math.Min(MaxRequests, Target is { } target ? Math.Max(1, (target + PerRequest - 1) / PerRequest) : int.MaxValue);
        // Each request is built once (pages rendered, messages hashed) and held while the run lasts: a wave's
        // requests are the earlier waves' and the ones built for it, asked, then selected in order.
        using var next = requests.GetEnumerator();
        var wave = new List<GenerationRequest>();
        while (true)
        {
            while (wave.Count < count && next.MoveNext())
            {
                wave.Add(next.Current);
            }

            var summary = await runner.RunAsync(() => wave.ToAsyncEnumerable(), answersPath, mode, batch, progress, cancellationToken);
            if (mode == TeacherMode.DryRun)
            {
                return new GenerationResult(summary, null, null);
            }

            var answers = await GeneratedAnswerJsonl.ReadAllAsync(answersPath, cancellationToken);
            var selection = new PairSelection(seeds, newFilter(), origin, Target);
            var covered = 0;
            foreach (var request in wave)
            {
                covered++;
                if (answers.TryGetValue(request.Id, out var answer))
                {
                    selection.Add(answer);
                }
            }

            var stopped = summary.StoppedBecause
                ?? (summary.Pending.Count > 0 ? $"{summary.Pending.Count} requests are still waiting for answers; run again to continue" : null)
                ?? (Target is { } wanted && !selection.TargetReached && (covered >= MaxRequests || covered < count)
                    ? covered < count
                        ? $"all {covered} requests are answered with {selection.Accepted.Count} of {wanted} records accepted"
                        : $"the request budget ({MaxRequests} requests) is spent with {selection.Accepted.Count} of {wanted} records accepted; raise the request budget (max requests) and run again to continue"
                    : null);
            if (stopped is not null || Target is null || selection.TargetReached)
            {
                var report = selection.Report(stage.Name, covered, summary.Quarantined);
                IReadOnlyList<PlanRecord> accepted = selection.Accepted;
                if (Thinking is not null && stopped is null)
                {
                    (accepted, summary, stopped) = await ThinkAsync(Thinking, selection.Accepted, summary, outPath, mode, batch, progress, cancellationToken);
                }

                await WriteAsync(outPath, accepted, selection, report, cancellationToken);
                return new GenerationResult(summary, report, stopped) { WithoutReasoning = stopped is null ? selection.Accepted.Count - accepted.Count : 0 };
            }

            count = Math.Min(MaxRequests, covered + MoreRequests(selection, Target.Value));
        }
    }

    /// <summary>
    /// Asks the reasoning of every accepted pair; gives the pairs that have it (in accepted order), the generation's
    /// summary with both runs' pending requests and costs, and why the run stopped, if it did. A pair whose reasoning
    /// never passed is left out, like a quarantined item: the run is not stopped by it.
    /// </summary>
    private async Task<(IReadOnlyList<PlanRecord> Thought, StageSummary Summary, string? Stopped)> ThinkAsync(
        GeneratedPlanThinking thinking,
        IReadOnlyList<PlanRecord> accepted,
        StageSummary generation,
        string outPath,
        TeacherMode mode,
        BatchRunner? batch,
        IProgress<StageProgress>? progress,
        CancellationToken cancellationToken)
    {
        var thinkingPath = ThinkingPath(outPath);
        var runner = new StageRunner<PlanRecord, PlanRecord>(thinking, session) { DropsRecordsOfOtherItems = true };
        var summary = await runner.RunAsync(() => accepted.ToAsyncEnumerable(), thinkingPath, mode, batch, progress, cancellationToken);
        var thought = new Dictionary<string, PlanRecord>(StringComparer.Ordinal);
        await foreach (var record in PlanJsonl.ReadAsync(thinkingPath, new ProblemLog(), cancellationToken))
        {
            thought[record.Id] = record;
        }

        var kept = accepted.Select(a => thought.GetValueOrDefault(a.Id)).OfType<PlanRecord>().ToList();
        var stopped = summary.StoppedBecause
            ?? (summary.Pending.Count > 0 ? $"{summary.Pending.Count} reasoning requests are still waiting for answers; run again to continue" : null);
        var combined = generation with
        {
            Pending = [.. generation.Pending, .. summary.Pending],
            Costs = summary.Costs,
            StoppedBecause = generation.StoppedBecause ?? summary.StoppedBecause,
        };
        return (kept, combined, stopped);
    }

    /// <summary>Requests for the pairs still missing, at the acceptance rate seen so far (at least a tenth).</summary>
    private int MoreRequests(PairSelection selection, int target)
    {
        var rate = selection.Candidates == 0 ? 1 : Math.Max(0.1, (double)selection.Accepted.Count / selection.Candidates);
        return Math.Max(1, (int)Math.Ceiling((target - selection.Accepted.Count) / (PerRequest * rate)));
    }

    private static async Task WriteAsync(string outPath, IReadOnlyList<PlanRecord> accepted, PairSelection selection, GenerationReport report, CancellationToken cancellationToken)
    {
        await JsonlFile.WriteAsync(outPath, accepted.ToAsyncEnumerable(), PlanJsonl.Format, cancellationToken);
        await JsonlFile.WriteAsync(
            OutputPaths.Beside(outPath, "rejected.jsonl"),
            selection.Rejected.ToAsyncEnumerable(),
            r => JsonSerializer.Serialize(r, RejectedPairJsonContext.Relaxed.RejectedPair),
            cancellationToken);
        await report.WriteAsync(OutputPaths.Beside(outPath, "report.json"), cancellationToken);
    }
}

[JsonSerializable(typeof(RejectedPair))]
internal sealed partial class RejectedPairJsonContext : JsonSerializerContext
{
    public static RejectedPairJsonContext Relaxed { get; } = new(new JsonSerializerOptions(JsonlFile.RelaxedWriteOptions()) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
}
