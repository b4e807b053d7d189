using System.Text.RegularExpressions;

namespace PlanAct.Stages.Tasks;

/// <summary>A YES/NO judgement with its reason, as the judge and the feasibility filter answer.</summary>
internal sealed partial record Verdict(bool Yes, string Reason)
{
    public const string FormatHint = "Answer with exactly two lines: 'Verdict: YES' or 'Verdict: NO', then 'Reason: <one or two sentences>'.";

    [GeneratedRegex(@"^[ \t]*(?:[-*][ \t]+)?(?:\*\*)?(Verdict|Reason)(?:\*\*)?[ \t]*:(?:\*\*)?[ \t]*(.*?)[ \t]*$", RegexOptions.Multiline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FieldLine();

    /// <summary>Parses an answer; the error, if any, is worded to be sent back as it is.</summary>
    public static (Verdict? Verdict, string? Error) Parse(string answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var fields = FieldLine().Matches(answer).GroupBy(m => m.Groups[1].Value.ToUpperInvariant()).ToDictionary(g => g.Key, g => g.ToList());
        if (!fields.TryGetValue("VERDICT", out var verdicts))
        {
            return (null, $"The answer has no 'Verdict:' line. {FormatHint}");
        }

        if (verdicts.Count > 1)
        {
            return (null, $"The answer has {verdicts.Count} 'Verdict:' lines; give one. {FormatHint}");
        }

        var value = verdicts[0].Groups[2].Value.Trim('*', '.', ' ').ToUpperInvariant();
        if (value is not ("YES" or "NO"))
        {
            return (null, $"'Verdict:' must be YES or NO; got \"{verdicts[0].Groups[2].Value}\". {FormatHint}");
        }

        var reason = fields.TryGetValue("REASON", out var reasons) ? reasons[0].Groups[2].Value.Trim() : "";
        return reason.Length == 0
            ? (null, $"The answer gives no reason: add a 'Reason:' line. {FormatHint}")
            : (new Verdict(value == "YES", reason), null);
    }

    public override string ToString() => $"Verdict: {(Yes ? "YES" : "NO")}\nReason: {Reason}";
}
