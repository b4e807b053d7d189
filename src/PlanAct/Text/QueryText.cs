using System.Text;

namespace PlanAct.Text;

/// <summary>
/// Turns a query into the words that similarity is measured on: lower-case runs of letters and digits (any script),
/// everything else a separator. This is the ROUGE tokenizer of the Self-Instruct rule, widened from ASCII to Unicode
/// so non-English queries are not reduced to nothing. Scripts written without spaces (Chinese, Japanese) give one word
/// per run.
/// </summary>
internal static class QueryText
{
    /// <summary>The words of <paramref name="query"/>, lower-cased (invariant culture, NFKC-normalized first).</summary>
    public static string[] Tokenize(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (!query.IsNormalized(NormalizationForm.FormKC))
        {
            query = query.Normalize(NormalizationForm.FormKC);
        }

        var words = new List<string>();
        var word = new StringBuilder();
        foreach (var rune in query.EnumerateRunes())
        {
            if (IsWordRune(rune))
            {
                word.Append(Rune.ToLowerInvariant(rune).ToString());
            }
            else if (word.Length > 0)
            {
                words.Add(word.ToString());
                word.Clear();
            }
        }

        if (word.Length > 0)
        {
            words.Add(word.ToString());
        }

        return [.. words];
    }

    /// <summary>The words joined by single spaces: two queries are exact duplicates when these are equal.</summary>
    public static string Normalize(string query) => string.Join(' ', Tokenize(query));

    // Combining marks stay inside their word, so a decomposed accent does not split it.
    private static bool IsWordRune(Rune rune) =>
        Rune.IsLetterOrDigit(rune) || Rune.GetUnicodeCategory(rune) is System.Globalization.UnicodeCategory.NonSpacingMark
            or System.Globalization.UnicodeCategory.SpacingCombiningMark;
}
