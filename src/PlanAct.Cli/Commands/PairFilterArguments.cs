using System.CommandLine;
using PlanAct.Text;
using PlanAct.Stages.Generation;

namespace PlanAct.Cli.Commands;

/// <summary>The options expand and augment share: what new pairs are checked against, and how much of each seed page they show.</summary>
internal sealed class PairFilterArguments
{
    private readonly Option<string[]> _decontaminate = new("--decontaminate") { Description = "Test queries no generated query may resemble: text (one per line), JSON array or JSONL with intent/task/query. Repeatable." };
    private readonly Option<double> _similarity = new("--similarity") { Description = "ROUGE-L F at or above which two queries are near-duplicates.", DefaultValueFactory = _ => NearDuplicateIndex.DefaultThreshold };
    private readonly Option<int> _maxPageTokens = new("--max-page-tokens") { Description = "Cut each seed's first page (planner view) to this many tokens.", DefaultValueFactory = _ => PairFilterSettings.DefaultMaxPageTokens };

    public IEnumerable<Option> Options => [_decontaminate, _similarity, _maxPageTokens];

    public PairFilterSettings Settings(ParseResult parse) => new()
    {
        Similarity = PairFilterSettings.IsSimilarity(parse.GetValue(_similarity)) ? parse.GetValue(_similarity) : throw new CommandLineException("--similarity must be more than 0 and at most 1"),
        TestQueryFiles = parse.GetValue(_decontaminate) ?? [],
        MaxPageTokens = Positive(parse.GetValue(_maxPageTokens), "--max-page-tokens"),
    };

    public static int Positive(int value, string name) =>
        value > 0 ? value : throw new CommandLineException($"{name} must be at least 1");
}
