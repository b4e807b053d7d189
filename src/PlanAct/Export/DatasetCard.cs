using System.Globalization;
using System.Text;
using PlanAct.Teacher.Cost;
using PlanAct.Training.Profiles;

namespace PlanAct.Export;

/// <summary>What the card says about how the data set was made.</summary>
internal sealed record CardContext(string Input, string Output, string Format, bool WithReasoning, int? MaxTokens, string Command, DateTimeOffset Date)
{
    /// <summary>The ledger the cost was read from, or would have been.</summary>
    public string? Ledger { get; init; }

    /// <summary>The cost of the teacher requests the records name, from <see cref="Ledger"/>; null when there is no ledger there.</summary>
    public RecordsCost? Cost { get; init; }

    /// <summary>The prompt profile the examples are laid out in.</summary>
    public PromptProfile Profile { get; init; } = PromptProfile.PlanAct;

    /// <summary>How a trainer reads the output (markdown from the format), or null.</summary>
    public string? Trainer { get; init; }
}

/// <summary>
/// The dataset card beside the exported file (<c>&lt;name&gt;.card.md</c>, or a Hugging Face folder's README): counts by
/// kind and site, token statistics, teachers, sources, cost, how to train with it, date and command. Its first line
/// (after a Hugging Face front matter) marks it as ours, so a re-export replaces it while any other file is never overwritten.
/// </summary>
internal static class DatasetCard
{
    public const string Marker = "<!-- planact dataset card: written by planact export, replaced on the next export -->";

    /// <summary>Where a JSONL export's card goes when none is named: <c>train/executor.jsonl</c> → <c>train/executor.card.md</c>.</summary>
    public static string DefaultPath(string output) => Path.ChangeExtension(Path.GetFullPath(output), ".card.md");

    /// <summary>True when nothing is at <paramref name="path"/> or a card planact wrote earlier.</summary>
    public static bool CanReplace(string path)
    {
        if (!File.Exists(path))
        {
            return true;
        }

        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        var line = reader.ReadLine();
        if (line == "---")
        {
            // A Hugging Face README: the marker follows the YAML front matter.
            while ((line = reader.ReadLine()) is not null and not "---")
            {
            }

            line = reader.ReadLine();
        }

        return line == Marker;
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

        sb.Append(report.CardFrontMatter);
        Line(Marker);
        Line($"# {Path.GetFileName(Path.TrimEndingDirectorySeparator(context.Output))}");
        Line();
        Line(string.Create(c, $"{report.Written} Plan-and-Act training examples in the **{context.Format}** format, made by `planact export` on {context.Date.UtcDateTime:yyyy-MM-dd}."));
        Line();
        if (report.ValidationWritten is { } validation)
        {
            Line(string.Create(c, $"Of them, {validation} are the validation split in `{Path.GetFileName(SplitFileFormat.ValidationPath(context.Output))}` beside it and {report.Written - validation} the train split; no trajectory (with the generated plans that start from its first page) is on both sides."));
            Line();
        }

        Line($"Prompt profile: **{context.Profile.Name}** ({(context.Profile.IsBuiltIn ? "built in" : $"`{context.Profile.Source}`")}). "
            + $"Run the trained model with the same profile: `planact prompt <role> --profile {context.Profile.Name}` builds its prompts and `planact parse` reads its answers.");
        Line();
        if (report.Refused.Count > 0)
        {
            Line(string.Create(c, $"{report.Refused.Count} records could not be laid out in this profile and were left out (listed by `planact export`), e.g. `{report.Refused[0].Id}`: {report.Refused[0].Reason}."));
            Line();
        }

        foreach (var line in HindsightLines(report))
        {
            Line(line);
        }

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

        Line(string.Create(c, $"{report.WithReasoning} examples carry a teacher's reasoning trace; {report.TeacherRequests.Count} distinct teacher requests are recorded."));
        Line();
        Line("## Sources");
        Line();
        Line($"* input{(context.Input.Contains("`, `", StringComparison.Ordinal) ? "s, interleaved" : "")}: `{context.Input}`");
        Line(string.Create(c, $"* {report.SourceTrajectories} trajectories, {report.SourcePlans} plans"));
        Line();
        Line("## Cost");
        Line();
        foreach (var line in CostLines(report, context))
        {
            Line(line);
        }

        Line();
        if (context.Trainer is { } trainer)
        {
            Line("## Training with it");
            Line();
            Line(trainer.TrimEnd());
            Line();
        }

        Line("## How it was made");
        Line();
        Line("```");
        Line(context.Command);
        Line("```");
        return sb.ToString();
    }

    /// <summary>The hindsight section: how many planner and replanner examples named what their model could not know, and (kept ones) which.</summary>
    private static IEnumerable<string> HindsightLines(ExportReport report)
    {
        var against = report.PlansCheckedAgainstTrajectories is { } plans
            ? string.Create(CultureInfo.InvariantCulture, $"{plans} grounded plans were checked against their whole trajectory (later pages, notes, final answer); ")
            : "";
        if (report.Hindsight.Count == 0)
        {
            if (against.Length > 0)
            {
                yield return "## Hindsight";
                yield return "";
                yield return against + "no example names a value its model could not have known.";
                yield return "";
            }

            yield break;
        }

        var byKind = string.Join(", ", report.HindsightByKind().Select(k => string.Create(CultureInfo.InvariantCulture, $"{k.Value} {k.Key}")));
        yield return "## Hindsight";
        yield return "";
        if (!report.HindsightKept)
        {
            yield return $"{against}Left out: {byKind} examples whose targets name values that only later pages, the agent's notes or the final answer show (listed by `planact export`; `--allow-hindsight` keeps them).";
            yield return "";
            yield break;
        }

        yield return $"{against}**Kept with hindsight** (`--allow-hindsight`): {byKind} examples name values their model could not have known at that point:";
        yield return "";
        foreach (var flag in report.Hindsight)
        {
            yield return $"* `{flag.Id}`: {flag.Finding}";
        }

        yield return "";
    }

    private static IEnumerable<string> CostLines(ExportReport report, CardContext context)
    {
        var c = CultureInfo.InvariantCulture;
        if (report.TeacherRequests.Count == 0)
        {
            yield return "None recorded: these records name no teacher requests (they were made without a teacher, or from records that were).";
            yield break;
        }

        if (context.Cost is not { } cost)
        {
            yield return $"Not available: there is no teacher ledger at `{context.Ledger}` to price the {report.TeacherRequests.Count} requests the records name (`--ledger` says where it is).";
            yield break;
        }

        var dollars = cost.Dollars.ToString(cost.Dollars < 1 ? "0.0000" : "0.00", c);
        yield return string.Create(c, $"${dollars} for the {cost.Requests} teacher requests behind these records ({cost.InputTokens:N0} input + {cost.OutputTokens:N0} output tokens; {cost.Batched} answered through the Batch API at its price), read from `{context.Ledger}`.");
        if (cost.UnpricedModels.Count > 0)
        {
            yield return "";
            yield return $"Not included: requests to models without a price ({string.Join(", ", cost.UnpricedModels)}); their tokens are counted above.";
        }

        if (cost.NotInLedger > 0)
        {
            yield return "";
            yield return string.Create(c, $"Not included: {cost.NotInLedger} requests the records name are not in this ledger.");
        }

        yield return "";
        yield return "Requests of quarantined items, and of the records these were made from (the plans behind executor examples), are not counted here; the ledger holds the whole spend.";
    }
}
