namespace PlanAct.Text;

/// <summary>ROUGE-L between two queries: the longest common subsequence of their words.</summary>
internal static class RougeL
{
    /// <summary>
    /// The F-measure (β = 1): 2·LCS / (|a| + |b|), which is 2PR / (P + R) with P = LCS/|b| and R = LCS/|a|.
    /// 0 when either side has no words; 1 exactly when both have the same words in the same order.
    /// </summary>
    public static double FMeasure(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        int[] Intern(IReadOnlyList<string> words) => [.. words.Select(w => ids.TryGetValue(w, out var id) ? id : ids[w] = ids.Count)];
        var left = Intern(a);
        var right = Intern(b);
        return FMeasure(LongestCommonSubsequence(left, right), left.Length, right.Length);
    }

    /// <summary>The F-measure of two query texts, tokenized with <see cref="QueryText.Tokenize"/>.</summary>
    public static double FMeasure(string a, string b) => FMeasure(QueryText.Tokenize(a), QueryText.Tokenize(b));

    internal static double FMeasure(int lcs, int lengthA, int lengthB) =>
        lengthA == 0 || lengthB == 0 ? 0 : 2.0 * lcs / (lengthA + lengthB);

    /// <summary>LCS length of two word-id sequences in O(|a|·|b|) time and O(|b|) memory.</summary>
    internal static int LongestCommonSubsequence(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        Span<int> row = b.Length <= 256 ? stackalloc int[b.Length + 1] : new int[b.Length + 1];
        row.Clear();
        foreach (var word in a)
        {
            var diagonal = 0;
            for (var j = 0; j < b.Length; j++)
            {
                var above = row[j + 1];
                row[j + 1] = word == b[j] ? diagonal + 1 : Math.Max(above, row[j]);
                diagonal = above;
            }
        }

        return row[b.Length];
    }
}
