using PlanAct.Plans;
using PlanAct.Text;

namespace PlanAct.Stages.Generation;

/// <summary>A generated pair that was not accepted, as written to <c>&lt;out&gt;.rejected.jsonl</c>.</summary>
internal sealed record RejectedPair(string Request, int Pair, string Site, string Query, string Reason, string? Detail);

/// <summary>
/// Keeps generated pairs out that repeat what we have or look like the benchmark's test queries: an exact or
/// near-duplicate (ROUGE-L F at or above the threshold, the Self-Instruct rule) of a seed or of an accepted query,
/// and a near-duplicate of any test query.
/// </summary>
internal sealed class PairFilter
{
    private readonly NearDuplicateIndex _known;
    private readonly NearDuplicateIndex _testSet;

    public PairFilter(double threshold, IEnumerable<string> seedQueries, IEnumerable<string> testQueries)
    {
        _known = new NearDuplicateIndex(threshold);
        _testSet = new NearDuplicateIndex(threshold);
        foreach (var query in seedQueries)
        {
            _known.Add(query);
        }

        foreach (var query in testQueries)
        {
            _testSet.Add(query);
        }
    }

    /// <summary>Why <paramref name="query"/> must be rejected, or null: then it counts as accepted from now on.</summary>
    public (string Reason, string Detail)? Admit(string query)
    {
        if (_testSet.FindNearest(query) is { } test)
        {
            return (RejectionReason.TestSetNearDuplicate, $"ROUGE-L {test.Score:0.###} with test query \"{test.Query}\"");
        }

        if (_known.FindNearest(query) is { } known)
        {
            return known.IsExact
                ? (RejectionReason.ExactDuplicate, $"same words as \"{known.Query}\"")
                : (RejectionReason.NearDuplicate, $"ROUGE-L {known.Score:0.###} with \"{known.Query}\"");
        }

        _known.Add(query);
        return null;
    }
}

/// <summary>
/// Turns answers, in request order, into plan records: each pair that passes its form check and the filter becomes a
/// record starting from its seed's first page, until the target is reached; the rest are rejected with their reason
/// or, past the target, left unused.
/// </summary>
internal sealed class PairSelection(SeedRepository seeds, PairFilter filter, string origin, int? target = null)
{
    private readonly List<PlanRecord> _accepted = [];
    private readonly List<RejectedPair> _rejected = [];
    private readonly Dictionary<string, int> _shown = new(StringComparer.Ordinal);
    private readonly QueryDiversity _diversity = new();

    public IReadOnlyList<PlanRecord> Accepted => _accepted;

    public IReadOnlyList<RejectedPair> Rejected => _rejected;

    /// <summary>Pairs that came after the target was reached (not judged).</summary>
    public int Unused { get; private set; }

    public int Answers { get; private set; }

    public int Candidates { get; private set; }

    public bool TargetReached => target is { } t && _accepted.Count >= t;

    /// <summary>Takes the pairs of the next answer; answers must come in request order.</summary>
    public void Add(GeneratedAnswer answer)
    {
        Answers++;
        foreach (var id in answer.Seeds)
        {
            _shown[id] = _shown.GetValueOrDefault(id) + 1;
        }

        for (var position = 0; position < answer.Pairs.Count; position++)
        {
            var pair = answer.Pairs[position];
            Candidates++;
            if (TargetReached)
            {
                Unused++;
                continue;
            }

            if (pair.Rejected is { } reason)
            {
                _rejected.Add(new RejectedPair(answer.Id, pair.Number, answer.Site, pair.Query, reason, pair.Detail));
                continue;
            }

            if (filter.Admit(pair.Query) is { } verdict)
            {
                _rejected.Add(new RejectedPair(answer.Id, pair.Number, answer.Site, pair.Query, verdict.Reason, verdict.Detail));
                continue;
            }

            var seed = seeds[answer.Seeds[pair.Seed!.Value - 1]];
            _diversity.Add(pair.Query);
            _accepted.Add(new PlanRecord(RecordId(answer, position), answer.Site, pair.Query, seed.InitialHtml, pair.Plan!, origin)
            {
                Teacher = answer.Teacher,
                Requests = answer.Requests,
                Seeds = answer.Seeds,
                InitialHtmlFrom = seed.Id,
                Label = origin == PlanOrigin.Targeted ? seed.Label : null,
            });
        }
    }

    /// <summary>The report of what was selected.</summary>
    public GenerationReport Report(string stage, int requests, int quarantined)
    {
        var pageUse = seeds.All.ToDictionary(s => s.Id, _ => 0, StringComparer.Ordinal);
        foreach (var record in _accepted)
        {
            pageUse[record.InitialHtmlFrom!]++;
        }

        return new GenerationReport
        {
            Stage = stage,
            Target = target,
            Requests = requests,
            Answered = Answers,
            Quarantined = quarantined,
            Candidates = Candidates,
            Accepted = _accepted.Count,
            Unused = Unused,
            Rejected = RejectionReason.All.ToDictionary(r => r, r => _rejected.Count(p => p.Reason == r)),
            AcceptedBySite = seeds.Sites.ToDictionary(s => s, s => _accepted.Count(a => a.Site == s)),
            SeedsShown = GenerationReport.Usage.Of(seeds.All.Select(s => _shown.GetValueOrDefault(s.Id))),
            SeedPagesUsed = GenerationReport.Usage.Of(pageUse.Values),
            SeedPageUse = pageUse,
            Distinct1 = Math.Round(_diversity.Distinct1, 4),
            Distinct2 = Math.Round(_diversity.Distinct2, 4),
        };
    }

    // Expand: one record per pair position of a request; augment: one per seed.
    private string RecordId(GeneratedAnswer answer, int position) =>
        origin == PlanOrigin.Targeted ? $"targeted-{answer.Seeds[0]}" : $"synthetic-{answer.Index:D5}-{position + 1}";
}
