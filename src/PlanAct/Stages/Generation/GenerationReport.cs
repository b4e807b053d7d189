using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using PlanAct.IO;

namespace PlanAct.Stages.Generation;

/// <summary>
/// What one expand or augment run produced, written to <c>&lt;out&gt;.report.json</c>: requests, pairs accepted and
/// rejected by reason, the balance over sites and over seed pages, and how varied the accepted queries are.
/// </summary>
internal sealed record GenerationReport
{
    public required string Stage { get; init; }

    /// <summary>The number of records asked for (expand), or null (augment: one per labelled seed).</summary>
    public int? Target { get; init; }

    /// <summary>Requests this run covered (answered, quarantined or still waiting).</summary>
    public int Requests { get; init; }

    public int Answered { get; init; }

    public int Quarantined { get; init; }

    /// <summary>Pairs in the answers.</summary>
    public int Candidates { get; init; }

    public int Accepted { get; init; }

    /// <summary>Pairs after the target was reached, not judged.</summary>
    public int Unused { get; init; }

    public required IReadOnlyDictionary<string, int> Rejected { get; init; }

    public required IReadOnlyDictionary<string, int> AcceptedBySite { get; init; }

    /// <summary>How often each seed was shown in a request.</summary>
    public required Usage SeedsShown { get; init; }

    /// <summary>How many accepted records start from each seed's first page.</summary>
    public required Usage SeedPagesUsed { get; init; }

    public required IReadOnlyDictionary<string, int> SeedPageUse { get; init; }

    /// <summary>Distinct words over all words of the accepted queries.</summary>
    public double Distinct1 { get; init; }

    /// <summary>Distinct word pairs over all word pairs of the accepted queries.</summary>
    public double Distinct2 { get; init; }

    /// <summary>A count per seed summarized: how many seeds, how many at zero, the least, the most and the mean.</summary>
    public sealed record Usage(int Seeds, int Unused, int Min, int Max, double Mean)
    {
        public static Usage Of(IEnumerable<int> counts)
        {
            var all = counts.ToList();
            return all.Count == 0
                ? new Usage(0, 0, 0, 0, 0)
                : new Usage(all.Count, all.Count(c => c == 0), all.Min(), all.Max(), Math.Round(all.Average(), 3));
        }

        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"{Seeds} seeds, min {Min}, mean {Mean:0.##}, max {Max}, {Unused} at zero");
    }

    public string ToJson() => JsonSerializer.Serialize(this, GenerationReportJsonContext.Default.GenerationReport);

    /// <summary>The report as lines for the terminal.</summary>
    public IEnumerable<string> Lines()
    {
        var rejected = string.Join(", ", Rejected.Where(r => r.Value > 0).Select(r => $"{r.Key} {r.Value}"));
        yield return $"{Stage}: {Accepted} accepted{(Target is { } t ? $" of {t} wanted" : "")} from {Candidates} pairs in {Answered} answers to {Requests} requests ({Quarantined} quarantined); rejected: {(rejected.Length > 0 ? rejected : "none")}{(Unused > 0 ? $"; {Unused} unused past the target" : "")}";
        yield return "sites: " + string.Join(", ", AcceptedBySite.Select(s => $"{s.Key} {s.Value}"));
        yield return $"seeds shown: {SeedsShown}; seed pages used: {SeedPagesUsed}";
        yield return string.Create(CultureInfo.InvariantCulture, $"accepted queries: distinct-1 {Distinct1:0.###}, distinct-2 {Distinct2:0.###}");
    }

    /// <summary>The report in <paramref name="path"/>, or null when there is none or it cannot be read (the run report goes on without it).</summary>
    public static GenerationReport? TryRead(string path) => OptionalJsonFile.TryRead(path, GenerationReportJsonContext.Default.GenerationReport);

    /// <summary>Writes the report file whole.</summary>
    public Task WriteAsync(string path, CancellationToken cancellationToken) =>
        AtomicFile.WriteAllTextAsync(path, ToJson() + "\n", cancellationToken);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(GenerationReport))]
internal sealed partial class GenerationReportJsonContext : JsonSerializerContext;
