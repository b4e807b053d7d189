using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace PlanAct.Loopback;

/// <summary>
/// A scripted generating teacher (expand and augment prompts): reads how many pairs and seeds a request asks for and
/// answers with pairs in the <c>## Data Pair i</c> form. Queries are made of words picked by a hash of the request,
/// so different requests give different, non-overlapping queries and the same request always the same ones.
/// </summary>
public static partial class ScriptedPairs
{
    private static readonly string[] Syllables =
        ["ka", "lo", "mi", "ter", "van", "sul", "dri", "po", "ne", "gar", "bel", "tos", "rin", "qua", "fe", "mon", "zu", "har", "pel", "do"];

    [GeneratedRegex(@"numbered 1 to (\d+)")]
    private static partial Regex SeedCountLine();

    [GeneratedRegex(@"write (\d+) new pairs?", RegexOptions.IgnoreCase)]
    private static partial Regex PairCountLine();

    [GeneratedRegex(@"^### Example \d+\nUser Query: (.*)$", RegexOptions.Multiline)]
    private static partial Regex SeedQueryLine();

    [GeneratedRegex(@"^Website: (.*)$", RegexOptions.Multiline)]
    private static partial Regex SiteLine();

    public static string UserMessage(ReceivedRequest request) => request.Body["messages"]!.AsArray()[1]!["content"]!.ToString();

    /// <summary>Seeds shown: "numbered 1 to N" (expand), or one (augment shows its seed alone).</summary>
    public static int SeedCount(ReceivedRequest request) =>
        SeedCountLine().Match(UserMessage(request)) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 1;

    /// <summary>Pairs asked for: "write N new pairs" (expand), or one (augment asks for exactly one).</summary>
    public static int PairCount(ReceivedRequest request) =>
        PairCountLine().Match(UserMessage(request)) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 1;

    public static string Site(ReceivedRequest request) => SiteLine().Match(UserMessage(request)).Groups[1].Value.Trim();

    /// <summary>The queries of the seeds the request shows, numbered from 1 (index 0 is seed 1).</summary>
    public static IReadOnlyList<string> SeedQueries(ReceivedRequest request) =>
        [.. SeedQueryLine().Matches(UserMessage(request)).Select(m => m.Groups[1].Value.Trim())];

    /// <summary>A query of six made-up words, fixed by the request and the pair number.</summary>
    public static string UniqueQuery(ReceivedRequest request, int pair)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(UserMessage(request) + "#" + pair.ToString(CultureInfo.InvariantCulture)));
        var words = Enumerable.Range(0, 6).Select(i => Syllables[hash[2 * i] % Syllables.Length] + Syllables[hash[(2 * i) + 1] % Syllables.Length]);
        return "Open the " + string.Join(" ", words);
    }

    public const string ValidPlan = "## Step 1\nReasoning: The first page shows where to begin.\nStep: Go to the right page.\n\n## Step 2\nReasoning: The page found holds the answer.\nStep: Read the answer and report it.";

    /// <summary>One pair block.</summary>
    public static string Pair(int number, string query, int seed, string plan = ValidPlan) =>
        $"## Data Pair {number}\nUser Query: {query}\nInitial HTML State: {seed}\nGlobal Plan:\n{plan}\n\n";

    /// <summary>An answer of valid, unique pairs; <paramref name="replace"/> may put other text in place of pair i (1-based).</summary>
    public static LoopbackReply Valid(ReceivedRequest request, Func<int, string?>? replace = null)
    {
        var seeds = SeedCount(request);
        var text = new StringBuilder();
        for (var i = 1; i <= PairCount(request); i++)
        {
            text.Append(replace?.Invoke(i) ?? Pair(i, UniqueQuery(request, i), ((i - 1) % seeds) + 1));
        }

        return new LoopbackReply.Answer(text.ToString());
    }
}
