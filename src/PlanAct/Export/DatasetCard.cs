using System.Globalization;
using System.Text;

namespace PlanAct.Export;

/// <summary>The teacher's cost of a data set. Filled from the teacher ledger once it prices requests; until then absent.</summary>
public sealed record DatasetCost(decimal Amount, string Currency);

/// <summary>What the card says about how the data set was made.</summary>
public sealed record CardContext(string Input, string Output, string Format, bool WithReasoning, int? MaxTokens, string Command, DateTimeOffset Date)
{
    /// <summary>The teachers' cost; null when it is not known (then the card says so).</summary>
    public DatasetCost? Cost { get; init; }
}

/// <summary>
/// The dataset card: a README beside the exported file with counts by kind and site, token statistics, teachers,
/// sources, cost, date and command. Its first line marks it as ours, so a re-export replaces it while any other
/// README is never overwritten.
/// </summary>
public static class DatasetCard
{
    public const string Marker = "<!-- planact dataset card: written by planact export, replaced on the next export -->";

    public static string DefaultPath(string output) => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(output))!, "README.md");

    /// <summary>True when nothing is at <paramref name="path"/> or a card planact wrote earlier.</summary>
    public static bool CanReplace(string path)
    {
        if (!File.Exists(path))
        {
            return true;
        }

        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        return reader.ReadLine() == Marker;
    }

    public static string Render(ExportReport report, CardContext context)
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        void Line(string text = "") => sb.Append(text).Append('\n');
        void Table(string heading, IReadOnlyDictionary<string, int> counts)
        {
            Line($"| {heading} | examples |");
            Line("|---|---|");
            foreach (var (key, count) in counts)
            {
                Line(string.Create(c, $"| {key} | {count} |"));
            }

            Line();
        }

        Line(Marker);
        Line($"# {Path.GetFileName(context.Output)}");
        Line();
        Line(string.Create(c, $"{report.Written} Plan-and-Act training examples in the **{context.Format}** format, made by `planact export` on {context.Date.UtcDateTime:yyyy-MM-dd}."));
        Line();
        Line("## Contents");
        Line();
        Table("kind", report.ByKind);
        Table("site", report.BySite);
        Line("## Tokens");
        Line();
        Line(string.Create(c, $"Per example, over all message contents as exported ({(context.WithReasoning ? "reasoning included" : "reasoning left out")}), o200k tokenizer, no chat-template overhead:"));
        Line(string.Create(c, $"min {report.Tokens.Min}, median {report.Tokens.Median}, p95 {report.Tokens.P95}, max {report.Tokens.Max}."));
        Line();
        Line(context.MaxTokens is { } max
            ? string.Create(c, $"Limit {max} tokens: {report.Overlong.Count} longer examples were left out, none was cut.")
            : "No token limit: every example was kept.");
        Line();
        Line("## Teachers");
        Line();
        if (report.Teachers.Count == 0)
        {
            Line("No example names a teacher model (the targets come from the trajectories and plans as given).");
            Line();
        }
        else
        {
            Table("teacher model", report.Teachers);
        }

        Line(string.Create(c, $"{report.WithReasoning} examples carry a teacher's reasoning trace; {report.TeacherRequests} distinct teacher requests are recorded."));
        Line();
        Line("## Sources");
        Line();
        Line($"* input: `{context.Input}`");
        Line(string.Create(c, $"* {report.SourceTrajectories} trajectories, {report.SourcePlans} plans"));
        Line();
        Line("## Cost");
        Line();
        Line(context.Cost is { } cost
            ? string.Create(c, $"{cost.Amount:0.00} {cost.Currency} in teacher requests.")
            : "Not available: this export had no priced teacher ledger to read the cost from.");
        Line();
        Line("## How it was made");
        Line();
        Line("```");
        Line(context.Command);
        Line("```");
        return sb.ToString();
    }
}
