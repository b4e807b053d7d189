using System.CommandLine;
using PlanAct.IO;
using PlanAct.Text;

namespace PlanAct.Cli.Commands;

/// <summary>The options expand and augment share: what new pairs are checked against, and how much of each seed page they show.</summary>
internal sealed class PairFilterArguments
{
    private readonly Option<string[]> _decontaminate = new("--decontaminate") { Description = "Test queries no generated query may resemble: text (one per line), JSON array or JSONL with intent/task/query. Repeatable." };
    private readonly Option<double> _similarity = new("--similarity") { Description = "ROUGE-L F at or above which two queries are near-duplicates.", DefaultValueFactory = _ => NearDuplicateIndex.DefaultThreshold };
    private readonly Option<int> _maxPageTokens = new("--max-page-tokens") { Description = "Cut each seed's first page (planner view) to this many tokens.", DefaultValueFactory = _ => 2000 };

    public IEnumerable<Option> Options => [_decontaminate, _similarity, _maxPageTokens];

    public double Threshold(ParseResult parse) =>
        parse.GetValue(_similarity) is > 0 and <= 1 and var value ? value : throw new CommandLineException("--similarity must be more than 0 and at most 1");

    public int MaxPageTokens(ParseResult parse) => Positive(parse.GetValue(_maxPageTokens), "--max-page-tokens");

    /// <summary>Every query of the decontamination lists.</summary>
    public async Task<List<string>> TestQueriesAsync(ParseResult parse, ProblemLog problems, CancellationToken cancellationToken)
    {
        var queries = new List<string>();
        foreach (var path in parse.GetValue(_decontaminate) ?? [])
        {
            await foreach (var entry in QueryListReader.ReadAsync(path, problems, cancellationToken))
            {
                queries.Add(entry.Query);
            }
        }

        return queries;
    }

    public static int Positive(int value, string name) =>
        value > 0 ? value : throw new CommandLineException($"{name} must be at least 1");
}
