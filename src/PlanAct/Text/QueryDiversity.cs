namespace PlanAct.Text;

/// <summary>
/// Distinct-1 and distinct-2 of a set of queries: distinct words (word pairs) over all words (word pairs) in them,
/// the usual measure of how varied generated text is. 0 when there is nothing to count.
/// </summary>
internal sealed class QueryDiversity
{
    private readonly HashSet<string> _unigrams = new(StringComparer.Ordinal);
    private readonly HashSet<(string, string)> _bigrams = [];
    private long _unigramCount;
    private long _bigramCount;

    public int Queries { get; private set; }

    public double Distinct1 => _unigramCount == 0 ? 0 : (double)_unigrams.Count / _unigramCount;

    public double Distinct2 => _bigramCount == 0 ? 0 : (double)_bigrams.Count / _bigramCount;

    public void Add(string query)
    {
        var words = QueryText.Tokenize(query);
        Queries++;
        _unigramCount += words.Length;
        _unigrams.UnionWith(words);
        for (var i = 1; i < words.Length; i++)
        {
            _bigramCount++;
            _bigrams.Add((words[i - 1], words[i]));
        }
    }
}
