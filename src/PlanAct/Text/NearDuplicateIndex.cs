namespace PlanAct.Text;

/// <summary>The indexed query a probe matched.</summary>
/// <param name="Id">The id <see cref="NearDuplicateIndex.Add"/> returned for it (ids count up from 0).</param>
/// <param name="Query">Its text as added.</param>
/// <param name="Score">ROUGE-L F between the probe and it; 1 for an exact duplicate.</param>
/// <param name="IsExact">Both have the same words in the same order (<see cref="QueryText.Normalize"/> is equal).</param>
public sealed record NearDuplicateMatch(int Id, string Query, double Score, bool IsExact);

/// <summary>
/// Queries indexed for "is there one whose ROUGE-L F with this one is at least the threshold?" (the Self-Instruct
/// near-duplicate rule). Exact, but it does not compare a probe with every query: a query can only reach the threshold
/// with queries of a bounded length that share enough words, and every such query shares a word with the probe's
/// rarest few (prefix filtering), so only those words' posting lists are read. Not thread-safe.
/// </summary>
public sealed class NearDuplicateIndex
{
    // Pruning must never drop a true match: bounds are loosened by this much against rounding.
    private const double Slack = 1e-9;

    private readonly Dictionary<string, int> _wordIds = new(StringComparer.Ordinal);
    private readonly List<List<int>> _postings = [];
    private readonly List<int[]> _words = [];
    private readonly List<string> _queries = [];
    private readonly Dictionary<string, int> _exact = new(StringComparer.Ordinal);
    private int[] _visited = [];
    private int _probe;

    /// <param name="threshold">ROUGE-L F at or above which two queries are near-duplicates, in (0, 1]; Self-Instruct uses 0.7.</param>
    public NearDuplicateIndex(double threshold = DefaultThreshold)
    {
        if (!(threshold > 0 && threshold <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "the threshold must be in (0, 1]");
        }

        Threshold = threshold;
    }

    public const double DefaultThreshold = 0.7;

    public double Threshold { get; }

    /// <summary>How many queries were added.</summary>
    public int Count => _queries.Count;

    /// <summary>The text of the query with this id.</summary>
    public string this[int id] => _queries[id];

    /// <summary>Adds a query and returns its id. Queries without words are kept but never match anything.</summary>
    public int Add(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var words = QueryText.Tokenize(query);
        var id = _queries.Count;
        var ids = new int[words.Length];
        for (var i = 0; i < words.Length; i++)
        {
            if (!_wordIds.TryGetValue(words[i], out ids[i]))
            {
                ids[i] = _wordIds[words[i]] = _postings.Count;
                _postings.Add([]);
            }

            // One posting per distinct word: a repeated word is at the list's end already.
            var posting = _postings[ids[i]];
            if (posting.Count == 0 || posting[^1] != id)
            {
                posting.Add(id);
            }
        }

        _queries.Add(query);
        _words.Add(ids);
        if (words.Length > 0)
        {
            _exact.TryAdd(string.Join(' ', words), id);
        }

        return id;
    }

    /// <summary>
    /// The most similar indexed query whose ROUGE-L F with <paramref name="query"/> is at least <see cref="Threshold"/>
    /// (the lowest id among equals; an exact duplicate first), or null when there is none.
    /// </summary>
    public NearDuplicateMatch? FindNearest(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var words = QueryText.Tokenize(query);
        if (words.Length == 0)
        {
            return null;
        }

        if (_exact.TryGetValue(string.Join(' ', words), out var same))
        {
            return new NearDuplicateMatch(same, _queries[same], 1.0, IsExact: true);
        }

        // Words never indexed get id -1: they match nothing, and being the rarest they are probed first for free.
        var probe = new int[words.Length];
        for (var i = 0; i < words.Length; i++)
        {
            probe[i] = _wordIds.TryGetValue(words[i], out var id) ? id : -1;
        }

        var length = probe.Length;
        var t = Threshold;

        // F = 2·LCS/(la+lb) and LCS ≤ min(la, lb), so a match needs LCS ≥ t·la/(2−t) and lb within these bounds.
        var minLength = Math.Max(1, (int)Math.Ceiling((t * length / (2 - t)) - Slack));
        var maxLength = (int)Math.Floor((length * (2 - t) / t) + Slack);

        // A match shares at least minLength word occurrences with the probe, so any (length − minLength + 1) of the
        // probe's occurrences include a word of every match: take the rarest.
        var byRarity = (int[])probe.Clone();
        Array.Sort(byRarity, (x, y) => (x < 0 ? 0 : _postings[x].Count).CompareTo(y < 0 ? 0 : _postings[y].Count) is var c && c != 0 ? c : x.CompareTo(y));
        var prefix = length - minLength + 1;

        if (_visited.Length < _queries.Count)
        {
            Array.Resize(ref _visited, Math.Max(_queries.Count, _visited.Length * 2));
        }

        if (++_probe == int.MaxValue)
        {
            Array.Clear(_visited);
            _probe = 1;
        }

        NearDuplicateMatch? best = null;
        for (var i = 0; i < prefix; i++)
        {
            var word = byRarity[i];
            if (word < 0 || (i > 0 && byRarity[i - 1] == word))
            {
                continue;
            }

            foreach (var candidate in _postings[word])
            {
                if (_visited[candidate] == _probe)
                {
                    continue;
                }

                _visited[candidate] = _probe;
                var other = _words[candidate];
                if (other.Length < minLength || other.Length > maxLength)
                {
                    continue;
                }

                var score = RougeL.FMeasure(RougeL.LongestCommonSubsequence(probe, other), length, other.Length);
                if (score >= t && (best is null || score > best.Score || (score == best.Score && candidate < best.Id)))
                {
                    best = new NearDuplicateMatch(candidate, _queries[candidate], score, IsExact: false);
                }
            }
        }

        return best;
    }
}
