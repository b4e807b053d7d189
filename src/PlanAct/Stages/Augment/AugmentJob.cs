using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Stages.Generation;
using PlanAct.Teacher;
using PlanAct.Teacher.Batch;
using PlanAct.Text;

namespace PlanAct.Stages.Augment;

/// <summary>
/// A targeted augmentation run over a labelled plan file (classify output), as the CLI and the pipeline start it: one
/// request per record labelled with a failure class, its pair checked and deduplicated like expand's against every
/// input query and the test queries.
/// </summary>
internal sealed class AugmentJob
{
    private readonly IReadOnlyList<PlanRecord> _targets;
    private readonly IReadOnlyList<string> _knownQueries;
    private readonly IReadOnlyList<string> _testQueries;
    private readonly PairFilterSettings _filter;

    private AugmentJob(IReadOnlyList<PlanRecord> targets, IReadOnlyList<string> knownQueries, IReadOnlyList<string> testQueries, PairFilterSettings filter)
    {
        _targets = targets;
        _knownQueries = knownQueries;
        _testQueries = testQueries;
        _filter = filter;
    }

    /// <summary>Records that seed a request.</summary>
    public int Targets => _targets.Count;

    /// <summary>Records labelled Other (or, when skipped as invalid, not labelled): no request.</summary>
    public int Others => _knownQueries.Count - _targets.Count;

    /// <exception cref="InputException">A bad or unlabelled record (strict mode), or no record labelled with a failure class.</exception>
    public static async Task<AugmentJob> LoadAsync(string labelledPath, PairFilterSettings filter, ProblemLog problems, CancellationToken cancellationToken)
    {
        var targets = new List<PlanRecord>();
        var known = new List<string>();
        await foreach (var (record, location) in PlanJsonl.ReadLocatedAsync(labelledPath, problems, cancellationToken))
        {
            known.Add(record.Task);
            if (record.Label is null)
            {
                problems.Error(location, $"record \"{record.Id}\" has no \"label\": run planact classify first");
            }
            else if (AugmentPrompts.IsTarget(record))
            {
                targets.Add(record);
            }
        }

        return targets.Count == 0
            ? throw new InputException(new SourceLocation(labelledPath), "no record is labelled with a failure class (all are Other or unlabelled)")
            : new AugmentJob(targets, known, await filter.TestQueriesAsync(problems, cancellationToken), filter);
    }

    /// <summary>Asks every target's request once and writes the accepted pairs to <paramref name="outPath"/>.</summary>
    public Task<GenerationResult> RunAsync(
        TeacherSession session, string outPath, TeacherMode mode, BatchRunner? batch, IProgress<StageProgress>? progress, CancellationToken cancellationToken)
    {
        var stage = new GenerationStage(AugmentPrompts.StageName, session.ModelFor(AugmentPrompts.StageName), exactPairs: 1);
        var run = new GenerationRun(session, stage, SeedRepository.Create(_targets), () => new PairFilter(_filter.Similarity, _knownQueries, _testQueries), PlanOrigin.Targeted)
        {
            Thinking = _filter.ThinkingFor(AugmentPrompts.StageName),
        };
        return run.RunAsync(new AugmentPrompts(_filter.MaxPageTokens, TokenCounter.O200k).Requests(_targets), outPath, mode, batch, progress, cancellationToken);
    }
}
