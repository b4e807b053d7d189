using PlanAct.IO;
using PlanAct.Plans;

namespace PlanAct.Stages.Generation;

/// <summary>The seeds one generation request shows, numbered 1..k in this order.</summary>
internal sealed record SeedDraw(int Index, string Site, IReadOnlyList<PlanRecord> Seeds);

/// <summary>
/// Seed query-plan pairs grouped by site, dealt out to generation requests: requests take the sites in turn, and
/// each shows k seeds of its site drawn without replacement; when fewer than k are left, the site's seeds are
/// shuffled again and dealing starts over. The same records and random seed give the same draws.
/// </summary>
internal sealed class SeedRepository
{
    private readonly Dictionary<string, IReadOnlyList<PlanRecord>> _bySite;
    private readonly Dictionary<string, PlanRecord> _byId;

    private SeedRepository(IReadOnlyList<string> sites, Dictionary<string, IReadOnlyList<PlanRecord>> bySite, IReadOnlyList<string> allTasks)
    {
        Sites = sites;
        AllTasks = allTasks;
        _bySite = bySite;
        _byId = bySite.Values.SelectMany(s => s).ToDictionary(s => s.Id, StringComparer.Ordinal);
    }

    /// <summary>The sites requests rotate over, in rotation order.</summary>
    public IReadOnlyList<string> Sites { get; }

    public IReadOnlyList<PlanRecord> SeedsOf(string site) => _bySite[site];

    public IEnumerable<PlanRecord> All => Sites.SelectMany(s => _bySite[s]);

    /// <summary>The task of every record read, also of sites left out: generated queries must not repeat any of them.</summary>
    public IReadOnlyList<string> AllTasks { get; }

    public PlanRecord this[string id] => _byId[id];

    /// <summary>A repository over records; <paramref name="sites"/> picks sites and their order (default: every site, by name).</summary>
    /// <exception cref="ArgumentException">There are no records, or a site asked for has none.</exception>
    public static SeedRepository Create(IEnumerable<PlanRecord> records, IReadOnlyList<string>? sites = null)
    {
        var pages = new Dictionary<string, string>(StringComparer.Ordinal);
        var bySite = new Dictionary<string, List<PlanRecord>>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            // Many seeds start on the same page: hold each distinct page once.
            var page = pages.TryGetValue(record.InitialHtml, out var shared) ? shared : pages[record.InitialHtml] = record.InitialHtml;
            if (!bySite.TryGetValue(record.Site, out var list))
            {
                bySite[record.Site] = list = [];
            }

            list.Add(record with { InitialHtml = page });
        }

        var order = sites is { Count: > 0 } ? sites.Distinct(StringComparer.Ordinal).ToList() : [.. bySite.Keys.Order(StringComparer.Ordinal)];
        if (order.Count == 0)
        {
            throw new ArgumentException("there are no seed plans");
        }

        if (order.FirstOrDefault(s => !bySite.ContainsKey(s)) is { } missing)
        {
            throw new ArgumentException($"there are no seed plans for site \"{missing}\" (the seeds have: {string.Join(", ", bySite.Keys.Order(StringComparer.Ordinal))})");
        }

        return new SeedRepository(
            order,
            order.ToDictionary(s => s, s => (IReadOnlyList<PlanRecord>)bySite[s], StringComparer.Ordinal),
            [.. bySite.Values.SelectMany(list => list.Select(r => r.Task))]);
    }

    /// <summary>Reads seed plan records (any plan JSONL) into a repository.</summary>
    /// <exception cref="InputException">A bad record (strict mode), no seeds, or no seeds for a site asked for.</exception>
    public static async Task<SeedRepository> LoadAsync(string path, ProblemLog problems, IReadOnlyList<string>? sites = null, CancellationToken cancellationToken = default)
    {
        var records = await PlanJsonl.ReadAsync(path, problems, cancellationToken).ToListAsync(cancellationToken);
        try
        {
            return Create(records, sites);
        }
        catch (ArgumentException e)
        {
            throw new InputException(new SourceLocation(path), e.Message, e);
        }
    }

    /// <summary>The endless, reproducible sequence of draws: request i is for site i mod (number of sites).</summary>
    public IEnumerable<SeedDraw> Draw(int seedsPerRequest, int randomSeed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seedsPerRequest, 1);
        var random = new Random(randomSeed);
        var decks = Sites.Select(site => new ShuffledDeck<PlanRecord>(_bySite[site], random)).ToArray();
        for (var index = 0; ; index++)
        {
            var site = index % Sites.Count;
            yield return new SeedDraw(index, Sites[site], decks[site].Deal(seedsPerRequest));
        }
    }
}
