namespace PlanAct.Text;

/// <summary>The indexed query a probe matched.</summary>
/// <param name="Id">The id <see cref="NearDuplicateIndex.Add"/> returned for it (ids count up from 0).</param>
/// <param name="Query">Its text as added.</param>
/// <param name="Score">ROUGE-L F between the probe and it; 1 for an exact duplicate.</param>
/// <param name="IsExact">Both have the same words in the same order (<see cref="QueryText.Normalize"/> is equal).</param>
internal sealed record NearDuplicateMatch(int Id, string Query, double Score, bool IsExact);

/// <summary>
/// Queries indexed for "is there one whose ROUGE-L F with this one is at least the threshold?" (the Self-Instruct
/// near-duplicate rule). Exact, but it does not compare a probe with every query. F = 2·LCS/(|a|+|b|) and the LCS
/// is at most the words both share, so two queries can only match when they share at least
/// ⌈t·|a|/(2−t)⌉ words (and likewise for |b|). Under one fixed order of words, two such queries then share a word
/// among the first |a| − that + 1 words of each (prefix filtering, as in AllPairs / PPJoin); each query is indexed
/// under its prefix words only and a probe reads only its prefix words' lists. The order puts rare words first, so
/// common words rarely fall in a prefix and the lists stay short: it is fixed from the word counts whenever the index
/// has doubled (rebuilding the lists, amortized O(1) per query), and a word new since then counts as the rarest.
/// Candidates are checked by length and shared words before the LCS is computed. Not thread-safe.
/// </summary>
internal sealed class NearDuplicateIndex
{
    // Pruning must never drop a true match: bounds are loosened by this much against rounding.
    private const double Slack = 1e-9;

    private readonly Dictionary<string, int> _wordIds = new(StringComparer.Ordinal);
    private readonly List<List<Posting>> _postings = [];
    private readonly List<int[]> _words = [];
    private readonly List<string> _queries = [];
    private readonly Dictionary<string, int> _exact = new(StringComparer.Ordinal);

    // The order of words: a higher rank comes first. Queries holding each word, for the next ordering.
    private readonly List<int> _rank = [];
    private readonly List<int> _queriesWith = [];
    private int _reorderAt = 1024;
    private int[] _visited = [];
    private int _probe;

    // Per word id: how often the probe has it, and how many of those a candidate has used up (reset after each).
    private int[] _probeCounts = [];
    private int[] _taken = [];

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
                _rank.Add(_rank.Count);
                _queriesWith.Add(0);
            }
        }

        foreach (var word in ids.Distinct())
        {
            _queriesWith[word]++;
        }

        Index(id, ids);
        _queries.Add(query);
        _words.Add(ids);
        if (_queries.Count >= _reorderAt)
        {
            Reorder();
        }

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

        // A word never indexed would rank above all others, so it is first in the order; it matches nothing.
        var probe = new int[words.Length];
        for (var i = 0; i < words.Length; i++)
        {
            probe[i] = _wordIds.TryGetValue(words[i], out var id) ? id : int.MaxValue;
        }

        var length = probe.Length;
        var t = Threshold;
        var minLength = MinShared(length);
        var maxLength = (int)Math.Floor((length * (2 - t) / t) + Slack);
        Prepare(probe);

        NearDuplicateMatch? best = null;
        foreach (var (word, position) in PrefixWords(probe))
        {
            if (word == int.MaxValue)
            {
                continue;
            }

            foreach (var (candidate, otherPosition, otherLength) in _postings[word])
            {
                if (_visited[candidate] == _probe)
                {
                    continue;
                }

                // The first time a candidate comes up is at the first word both share in the order (all earlier ones
                // would be in its prefix too), so at most the words after it in both can be shared besides it.
                _visited[candidate] = _probe;
                var needed = (t * (length + otherLength) / 2) - Slack;
                if (otherLength < minLength || otherLength > maxLength || 1 + Math.Min(length - position - 1, otherLength - otherPosition - 1) < needed)
                {
                    continue;
                }

                // LCS ≤ the shared words (with repeats): a cheaper bound before the LCS itself.
                var other = _words[candidate];
                if (SharedWords(other) < needed)
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

        foreach (var word in probe)
        {
            if (word != int.MaxValue)
            {
                _probeCounts[word] = 0;
            }
        }

        return best;
    }

    /// <summary>The fewest words a query of this length shares with any match: ⌈t·length/(2−t)⌉.</summary>
    private int MinShared(int length) => Math.Max(1, (int)Math.Ceiling((Threshold * length / (2 - Threshold)) - Slack));

    /// <summary>
    /// The distinct words among the first |q| − <see cref="MinShared"/> + 1 word occurrences in the word order, each with
    /// the position of its first occurrence in that order.
    /// </summary>
    private List<(int Word, int Position)> PrefixWords(int[] ids)
    {
        var prefix = new List<(int, int)>();
        if (ids.Length == 0)
        {
            return prefix;
        }

        var ordered = (int[])ids.Clone();
        Array.Sort(ordered, (x, y) => RankOf(y).CompareTo(RankOf(x)));
        var end = ids.Length - MinShared(ids.Length) + 1;
        for (var i = 0; i < end; i++)
        {
            if (i == 0 || ordered[i] != ordered[i - 1])
            {
                prefix.Add((ordered[i], i));
            }
        }

        return prefix;
    }

    private void Index(int id, int[] ids)
    {
        foreach (var (word, position) in PrefixWords(ids))
        {
            _postings[word].Add(new Posting(id, position, ids.Length));
        }
    }

    private int RankOf(int word) => word == int.MaxValue ? int.MaxValue : _rank[word];

    /// <summary>Orders the words by how many queries hold them (rarest first) and indexes every query again under its new prefix.</summary>
    private void Reorder()
    {
        var byCount = Enumerable.Range(0, _rank.Count).OrderByDescending(w => _queriesWith[w]).ThenBy(w => w).ToArray();
        for (var rank = 0; rank < byCount.Length; rank++)
        {
            _rank[byCount[rank]] = rank;
        }

        foreach (var posting in _postings)
        {
            posting.Clear();
        }

        for (var id = 0; id < _words.Count; id++)
        {
            Index(id, _words[id]);
        }

        _reorderAt = _queries.Count * 2;
    }

    /// <summary>Starts a probe: a fresh visit mark and the probe's word counts.</summary>
    private void Prepare(int[] probe)
    {
        if (_visited.Length < _queries.Count)
        {
            Array.Resize(ref _visited, Math.Max(_queries.Count, _visited.Length * 2));
        }

        if (++_probe == int.MaxValue)
        {
            Array.Clear(_visited);
            _probe = 1;
        }

        if (_probeCounts.Length < _postings.Count)
        {
            Array.Resize(ref _probeCounts, Math.Max(_postings.Count, _probeCounts.Length * 2));
            Array.Resize(ref _taken, _probeCounts.Length);
        }

        foreach (var word in probe)
        {
            if (word != int.MaxValue)
            {
                _probeCounts[word]++;
            }
        }
    }

    /// <summary>How many word occurrences <paramref name="other"/> shares with the probe (the multiset intersection).</summary>
    private int SharedWords(int[] other)
    {
        var shared = 0;
        foreach (var word in other)
        {
            if (_taken[word] < _probeCounts[word])
            {
                _taken[word]++;
                shared++;
            }
        }

        foreach (var word in other)
        {
            _taken[word] = 0;
        }

        return shared;
    }

    /// <summary>A query in a word's list: its id, where the word first comes in its order, and its length.</summary>
    private readonly record struct Posting(int Id, int Position, int Length);
}
