using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Stages.Generation;
using PlanAct.Teacher;
using PlanAct.Teacher.Batch;

namespace PlanAct.Stages.Expand;

/// <summary>
/// An expand run over a seed plan file, as the CLI and the pipeline start it: the seeds and the test queries are read
/// once, then <see cref="RunAsync"/> asks the requests through a <see cref="GenerationRun"/> with the session given.
/// </summary>
internal sealed class ExpandJob
{
    private readonly ExpandOptions _options;
    private readonly IReadOnlyList<string> _testQueries;

    private ExpandJob(ExpandOptions options, SeedRepository seeds, IReadOnlyList<string> testQueries)
    {
        _options = options;
        Seeds = seeds;
        _testQueries = testQueries;
    }

    public SeedRepository Seeds { get; }

    /// <exception cref="InputException">A bad seed record or query-list entry (strict mode), no seeds, or no seeds for a site asked for.</exception>
    public static async Task<ExpandJob> LoadAsync(string plansPath, ExpandOptions options, ProblemLog problems, CancellationToken cancellationToken)
    {
        var seeds = await SeedRepository.LoadAsync(plansPath, problems, options.Sites, cancellationToken);
        return new ExpandJob(options, seeds, await options.Filter.TestQueriesAsync(problems, cancellationToken));
    }

    /// <summary>Asks until <see cref="ExpandOptions.Count"/> records are accepted or the request budget is spent; writes the records to <paramref name="outPath"/>.</summary>
    public Task<GenerationResult> RunAsync(
        TeacherSession session, string outPath, TeacherMode mode, BatchRunner? batch, IProgress<StageProgress>? progress, CancellationToken cancellationToken)
    {
        var stage = new GenerationStage(ExpandPrompts.StageName, session.ModelFor(ExpandPrompts.StageName));
        var run = new GenerationRun(session, stage, Seeds, () => new PairFilter(_options.Filter.Similarity, Seeds.AllTasks, _testQueries), PlanOrigin.Synthetic)
        {
            Target = _options.Count,
            PerRequest = _options.PerRequest,
            MaxRequests = _options.RequestBudget,
            Thinking = _options.Filter.ThinkingFor(ExpandPrompts.StageName),
        };
        return run.RunAsync(new ExpandPrompts(Seeds, _options).Requests(), outPath, mode, batch, progress, cancellationToken);
    }
}
