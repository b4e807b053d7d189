using System.Globalization;
using System.Text.RegularExpressions;
using PlanAct.Plans;
using PlanAct.Text;

namespace PlanAct.Stages.Generation;

/// <summary>Why a generated pair was not accepted (the keys of the rejected file and the report).</summary>
internal static class RejectionReason
{
    /// <summary>The pair's block lacks a field, or its plan does not parse.</summary>
    public const string Malformed = "malformed";

    /// <summary>The pair starts from a seed number the request did not show.</summary>
    public const string SeedOutOfRange = "seed_out_of_range";

    /// <summary>The same words as the test-set query in <c>--decontaminate</c>, or ROUGE-L at or above the threshold with one.</summary>
    public const string TestSetNearDuplicate = "test_set_near_duplicate";

    /// <summary>The same words as a seed or an accepted query.</summary>
    public const string ExactDuplicate = "exact_duplicate";

    /// <summary>ROUGE-L at or above the threshold with a seed or an accepted query.</summary>
    public const string NearDuplicate = "near_duplicate";

    public static IReadOnlyList<string> All { get; } = [Malformed, SeedOutOfRange, TestSetNearDuplicate, ExactDuplicate, NearDuplicate];
}

/// <summary>One pair as the teacher wrote it: checked for form, not yet for duplicates.</summary>
/// <param name="Number">The pair's <c>## Data Pair i</c> number.</param>
/// <param name="Query">The user query (empty when missing).</param>
/// <param name="Seed">The 1-based seed number whose first page the pair starts from.</param>
/// <param name="Plan">The plan, when it parsed.</param>
/// <param name="Rejected">A <see cref="RejectionReason"/> when the form is already wrong.</param>
/// <param name="Detail">What exactly was wrong.</param>
internal sealed record GeneratedPair(int Number, string Query, int? Seed, Plan? Plan, string? Rejected = null, string? Detail = null);

/// <summary>
/// Parses the answer format of generation requests: blocks <c>## Data Pair i</c>, each with <c>User Query:</c>,
/// <c>Initial HTML State: &lt;seed number&gt;</c> and <c>Global Plan:</c> followed by <c>## Step N</c> /
/// <c>Reasoning:</c> / <c>Step:</c> blocks.
/// </summary>
internal static partial class DataPairText
{
    public const string FormatHint =
        "Answer with blocks '## Data Pair 1', '## Data Pair 2', … each holding 'User Query: …', 'Initial HTML State: <example number>' and 'Global Plan:' followed by '## Step N' blocks with 'Reasoning:' and 'Step:' lines.";

    [GeneratedRegex(@"^[ \t]*#{1,6}[ \t]*(?:\*\*)?[ \t]*Data[ \t]+Pair[ \t]+(\d+)[ \t]*:?[ \t]*(?:\*\*)?[ \t]*$", RegexOptions.Multiline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PairHeader();

    [GeneratedRegex(@"^[ \t]*(?:[-*][ \t]+)?(?:\*\*)?(User[ \t]+Query|Initial[ \t]+HTML[ \t]+State|Global[ \t]+Plan)(?:\*\*)?[ \t]*:(?:\*\*)?[ \t]*(.*)$", RegexOptions.Multiline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FieldLine();

    [GeneratedRegex(@"\d+")]
    private static partial Regex Number();

    /// <summary>The pairs of an answer, each checked for form and for a seed number in 1..<paramref name="seedCount"/>; an error when there are none.</summary>
    public static (IReadOnlyList<GeneratedPair> Pairs, string? Error) Parse(string answer, int seedCount)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var headers = PairHeader().Matches(answer);
        if (headers.Count == 0)
        {
            return ([], "No '## Data Pair N' blocks were found. " + FormatHint);
        }

        var pairs = new List<GeneratedPair>(headers.Count);
        for (var i = 0; i < headers.Count; i++)
        {
            var number = int.Parse(headers[i].Groups[1].ValueSpan, CultureInfo.InvariantCulture);
            var start = headers[i].Index + headers[i].Length;
            var end = i + 1 < headers.Count ? headers[i + 1].Index : answer.Length;
            pairs.Add(ParsePair(number, answer[start..end], seedCount));
        }

        return (pairs, null);
    }

    private static GeneratedPair ParsePair(int number, string block, int seedCount)
    {
        var fields = FieldLine().Matches(block);
        string? Field(string name)
        {
            for (var i = 0; i < fields.Count; i++)
            {
                if (Regex.Replace(fields[i].Groups[1].Value, @"\s+", " ").Equals(name, StringComparison.OrdinalIgnoreCase))
                {
                    var end = i + 1 < fields.Count ? fields[i + 1].Index : block.Length;
                    return block[fields[i].Groups[2].Index..end].Trim();
                }
            }

            return null;
        }

        var query = Field("User Query") ?? "";
        var seedText = Field("Initial HTML State");
        var planText = Field("Global Plan");
        if (QueryText.Tokenize(query).Length == 0)
        {
            return new GeneratedPair(number, query, null, null, RejectionReason.Malformed, query.Length == 0 ? "no 'User Query:'" : "the query has no words");
        }

        if (seedText is null || Number().Match(seedText) is not { Success: true } seedMatch
            || !int.TryParse(seedMatch.ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var seed))
        {
            return new GeneratedPair(number, query, null, null, RejectionReason.Malformed, "no seed number after 'Initial HTML State:'");
        }

        if (planText is null)
        {
            return new GeneratedPair(number, query, seed, null, RejectionReason.Malformed, "no 'Global Plan:'");
        }

        var parsed = PlanText.Parse(planText, grounded: false);
        if (parsed.Plan is not { } plan || parsed.Errors.Count > 0)
        {
            return new GeneratedPair(number, query, seed, null, RejectionReason.Malformed, string.Join(" ", parsed.Errors));
        }

        return seed < 1 || seed > seedCount
            ? new GeneratedPair(number, query, seed, plan, RejectionReason.SeedOutOfRange, $"seed {seed} is not one of 1..{seedCount}")
            : new GeneratedPair(number, query, seed, plan);
    }
}
