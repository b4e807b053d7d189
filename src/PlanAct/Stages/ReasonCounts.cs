using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using PlanAct.Plans.Hindsight;

namespace PlanAct.Stages;

/// <summary>
/// Counts of reasons (rejected answers, quarantines, skips), with numbers folded to <c>N</c> so that "step 2 has no
/// actions" and "step 5 has no actions" count as one reason.
/// </summary>
internal sealed partial class ReasonCounts
{
    private const int MaxReasonLength = 120;

    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    public void Add(string reason) => _counts.AddOrUpdate(Fold(reason), 1, (_, n) => n + 1);

    public void AddAll(IEnumerable<string> reasons)
    {
        foreach (var reason in reasons)
        {
            Add(reason);
        }
    }

    /// <summary>The reasons counted.</summary>
    public static ReasonCounts Of(IEnumerable<string> reasons)
    {
        var counts = new ReasonCounts();
        counts.AddAll(reasons);
        return counts;
    }

    public void Add(IReadOnlyDictionary<string, int> counts)
    {
        foreach (var (reason, count) in counts)
        {
            _counts.AddOrUpdate(reason, count, (_, n) => n + count);
        }
    }

    /// <summary>The counts, largest first, then by reason.</summary>
    public IReadOnlyDictionary<string, int> Snapshot() =>
        _counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);

    /// <summary>The reason as counted: a hindsight finding is <see cref="HindsightCheck.Reason"/>; otherwise numbers become N, whitespace is collapsed, long texts are cut.</summary>
    public static string Fold(string reason)
    {
        if (HindsightCheck.QuarantineReason(reason) == HindsightCheck.Reason)
        {
            return HindsightCheck.Reason;
        }

        var folded = Spaces().Replace(Numbers().Replace(reason, "N"), " ").Trim();
        return folded.Length <= MaxReasonLength ? folded : folded[..(MaxReasonLength - 1)] + "…";
    }

    [GeneratedRegex(@"\d+")]
    private static partial Regex Numbers();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
