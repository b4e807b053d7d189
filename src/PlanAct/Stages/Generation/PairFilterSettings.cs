using PlanAct.IO;
using PlanAct.Stages.Thinking;
using PlanAct.Text;

namespace PlanAct.Stages.Generation;

/// <summary>
/// What expand and augment share: what their new pairs are checked against, how much of each seed page a request shows,
/// and whether accepted pairs get planner reasoning.
/// </summary>
internal sealed record PairFilterSettings
{
    /// <summary>Each seed's first page (planner view) is cut to this many tokens.</summary>
    public const int DefaultMaxPageTokens = 2000;

    /// <summary>ROUGE-L F at or above which two queries are near-duplicates; more than 0 and at most 1.</summary>
    public double Similarity { get; init; } = NearDuplicateIndex.DefaultThreshold;

    /// <summary>Query lists (text, JSON array or JSONL) no generated query may resemble: the benchmark's test intents.</summary>
    public IReadOnlyList<string> TestQueryFiles { get; init; } = [];

    public int MaxPageTokens { get; init; } = DefaultMaxPageTokens;

    /// <summary>CoT: every accepted pair gets a planner's thinking and reasoning from its query and first page (<see cref="GeneratedPlanThinking"/>).</summary>
    public bool Cot { get; init; }

    /// <summary>The thinking round of <paramref name="stageName"/>'s accepted pairs, or null without <see cref="Cot"/>.</summary>
    public GeneratedPlanThinking? ThinkingFor(string stageName) => Cot ? new GeneratedPlanThinking(stageName, MaxPageTokens, TokenCounter.O200k) : null;

    public static bool IsSimilarity(double value) => value is > 0 and <= 1;

    /// <summary>Every query of the test query lists; bad entries go to <paramref name="problems"/>.</summary>
    public async Task<IReadOnlyList<string>> TestQueriesAsync(ProblemLog problems, CancellationToken cancellationToken)
    {
        var queries = new List<string>();
        foreach (var path in TestQueryFiles)
        {
            await foreach (var entry in QueryListReader.ReadAsync(path, problems, cancellationToken))
            {
                queries.Add(entry.Query);
            }
        }

        return queries;
    }
}
