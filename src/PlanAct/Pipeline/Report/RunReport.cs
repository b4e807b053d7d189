using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using PlanAct.IO;
using PlanAct.Stages;
using PlanAct.Stages.Generation;
using PlanAct.Teacher.Cost;
using PlanAct.Teacher.Ledger;

namespace PlanAct.Pipeline.Report;

/// <summary>
/// <c>report.html</c>: one self-contained page about a run directory (inline CSS and SVG, no script, nothing fetched):
/// the stages, the site mix, steps per plan, tokens per record, accepted and rejected items by reason, tokens and cost
/// per stage, teacher latency, and the dry-run estimate. It reads <c>run.json</c>, the stages' statistics, their
/// training data and the ledger.
/// </summary>
internal static class RunReport
{
    /// <summary>Records read per training-data file for the plan and token charts; a larger file is charted from its start.</summary>
    public const int MaxRecordsPerFile = 2_000;

    /// <summary>
    /// Writes the report of the run directory's last real run (<c>run.json</c>); a later dry run's estimate
    /// (<c>run.dryrun.json</c>) is a section of it. With only a dry run, its manifest is the report.
    /// </summary>
    public static async Task WriteAsync(string runDir, string outPath, CancellationToken cancellationToken = default)
    {
        var real = Path.Combine(runDir, PipelineRunner.ManifestName);
        var dryRunPath = Path.Combine(runDir, PipelineRunner.DryRunManifestName);
        var dryRun = File.Exists(dryRunPath) ? RunManifest.Read(dryRunPath) : null;
        var manifest = File.Exists(real) || dryRun is null ? RunManifest.Read(real) : dryRun;
        var html = await RenderAsync(runDir, manifest, dryRun is not null && !ReferenceEquals(dryRun, manifest) && dryRun.Finished > manifest.Finished ? dryRun : null, cancellationToken);
        await AtomicFile.WriteAllTextAsync(outPath, html, cancellationToken);
    }

    /// <summary>The page of <paramref name="manifest"/>'s run, with the estimate of a dry run made after it when there is one.</summary>
    private static async Task<string> RenderAsync(string runDir, RunManifest manifest, RunManifest? laterDryRun, CancellationToken cancellationToken)
    {
        var page = new StringBuilder();
        page.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>planact run ")
            .Append(E(manifest.Pipeline)).Append("</title><style>").Append(EmbeddedText.Read(typeof(RunReport), "report.css")).Append("</style></head><body>");
        page.Append("<h1>planact run: ").Append(E(manifest.Pipeline)).Append("</h1>");
        page.Append("<p class=\"meta\">run ").Append(E(manifest.RunId)).Append(" · ").Append(E(manifest.Mode))
            .Append(" · ").Append(E(manifest.Started.ToString("u", CultureInfo.InvariantCulture))).Append(" → ").Append(E(manifest.Finished.ToString("u", CultureInfo.InvariantCulture)))
            .Append(manifest.Shard is null ? "" : $" · shard {E(manifest.Shard)}").Append("<br>teacher: ").Append(E(manifest.Teacher))
            .Append("<br>ledger: ").Append(E(manifest.Ledger)).Append("<br>command: <code>").Append(E(manifest.Command)).Append("</code></p>");

        Stages(page, manifest);
        var stats = manifest.Stages.Where(s => s.Stats is not null).Select(s => StageStats.TryRead(Path.Combine(runDir, s.Stats!))).OfType<StageStats>().ToList();

        Section(page, "Input", "site-mix");
        page.Append(manifest.Input is { } input
            ? SvgChart.Bars("trajectories per site", [.. input.Sites.OrderByDescending(s => s.Value).Select(s => (s.Key, (double)s.Value))])
              + P($"{input.Trajectories} trajectories, {input.Steps} steps; steps per trajectory: min {input.StepsPerTrajectory.Min}, median {input.StepsPerTrajectory.Median.ToString(CultureInfo.InvariantCulture)}, p95 {input.StepsPerTrajectory.P95}, max {input.StepsPerTrajectory.Max}.")
            : P("The pipeline has no trajectories input."));

        var data = manifest.Stages.SelectMany(s => s.Outputs).Where(o => o.TrainingData is not null && File.Exists(Path.Combine(runDir, o.Path))).ToList();
        var samples = await RecordSamples.ReadAsync(runDir, [.. data.Select(o => o.Path).Distinct(StringComparer.Ordinal)], MaxRecordsPerFile, cancellationToken);
        Section(page, "Steps per plan", "steps-per-plan");
        page.Append(SvgChart.Histogram("steps per plan", [.. data.SelectMany(o => samples[o.Path].PlanSteps).Select(s => (double)s)], "steps"));

        Section(page, "Tokens per record", "tokens-per-record");
        foreach (var output in data)
        {
            var tokens = samples[output.Path].Tokens;
            page.Append("<h3>").Append(E(output.TrainingData!)).Append(" (").Append(E(output.Path))
                .Append(tokens.Count == MaxRecordsPerFile ? string.Create(CultureInfo.InvariantCulture, $", its first {MaxRecordsPerFile:N0} records") : "").Append(")</h3>");
            page.Append(SvgChart.Histogram($"tokens per {output.TrainingData} record", [.. tokens.Select(t => (double)t)], "tokens (o200k, all messages)"));
        }

        if (data.Count == 0)
        {
            page.Append(P("No training data yet."));
        }

        Outcomes(page, stats);
        GeneratedPairs(page, [.. manifest.Stages.SelectMany(s => s.Outputs).Where(o => o.Path.EndsWith(".report.json", StringComparison.Ordinal))
            .Select(o => GenerationReport.TryRead(Path.Combine(runDir, o.Path))).OfType<GenerationReport>()]);
        Costs(page, manifest);
        await LatencyAsync(page, runDir, manifest, cancellationToken);
        Estimate(page, manifest, "Waiting for the teacher: estimate", "estimate");
        if (laterDryRun is not null)
        {
            Estimate(page, laterDryRun, $"Dry run of {laterDryRun.Finished.ToString("u", CultureInfo.InvariantCulture)}: estimate of what is left", "dry-run-estimate");
        }

        return page.Append("</body></html>\n").ToString();
    }

    private static void Stages(StringBuilder page, RunManifest manifest)
    {
        Section(page, "Stages", "stages");
        page.Append("<table><tr><th>stage</th><th>status</th><th>what it did</th><th>seconds</th><th>left out</th><th>outputs</th></tr>");
        foreach (var stage in manifest.Stages)
        {
            page.Append("<tr class=\"").Append(E(stage.Status)).Append("\"><td>").Append(E(stage.Stage)).Append("</td><td>").Append(E(stage.Status)).Append("</td><td>")
                .Append(E(stage.Summary)).Append("</td><td>").Append(stage.Seconds.ToString("0.0", CultureInfo.InvariantCulture)).Append("</td><td>").Append(stage.Problems)
                .Append("</td><td>").Append(string.Join("<br>", stage.Outputs.Select(o => $"<a href=\"{E(o.Path)}\">{E(o.Path)}</a>"))).Append("</td></tr>");
        }

        page.Append("</table>");
    }

    /// <summary>What expand and augment kept of the pairs in their answers, and why the others were rejected.</summary>
    private static void GeneratedPairs(StringBuilder page, IReadOnlyList<GenerationReport> reports)
    {
        if (reports.Count == 0)
        {
            return;
        }

        Section(page, "Generated pairs", "generated-pairs");
        var bars = new List<(string, double)>();
        foreach (var report in reports)
        {
            bars.Add(($"{report.Stage}: accepted", report.Accepted));
            bars.AddRange(report.Rejected.Where(r => r.Value > 0).Select(r => ($"{report.Stage}: rejected: {r.Key}", (double)r.Value)));
        }

        page.Append(SvgChart.Bars("generated pairs by outcome", bars));
        page.Append("<table><tr><th>stage</th><th>requests</th><th>pairs</th><th>accepted</th><th>rejected</th><th>distinct-1</th><th>distinct-2</th><th>seed pages used</th></tr>");
        foreach (var report in reports)
        {
            page.Append("<tr><td>").Append(E(report.Stage)).Append("</td><td>").Append(report.Requests).Append("</td><td>").Append(report.Candidates).Append("</td><td>")
                .Append(report.Accepted).Append("</td><td>").Append(report.Rejected.Values.Sum()).Append("</td><td>")
                .Append(report.Distinct1.ToString("0.###", CultureInfo.InvariantCulture)).Append("</td><td>").Append(report.Distinct2.ToString("0.###", CultureInfo.InvariantCulture))
                .Append("</td><td>").Append(E(report.SeedPagesUsed.ToString())).Append("</td></tr>");
        }

        page.Append("</table>");
    }

    private static void Outcomes(StringBuilder page, IReadOnlyList<StageStats> stats)
    {
        Section(page, "Accepted and rejected, by reason", "outcomes");
        if (stats.Count == 0)
        {
            page.Append(P("No stage has finished yet."));
            return;
        }

        var bars = new List<(string, double)>();
        foreach (var stage in stats)
        {
            bars.Add(($"{stage.Stage}: accepted", stage.Ok));
            bars.AddRange(stage.QuarantinedByReason.Select(r => ($"{stage.Stage}: quarantined: {r.Key}", (double)r.Value)));
            bars.AddRange(stage.SkippedByReason.Select(r => ($"{stage.Stage}: skipped: {r.Key}", (double)r.Value)));
        }

        page.Append(SvgChart.Bars("items by outcome", bars));
        var rejected = stats.SelectMany(s => s.RejectedByReason.Select(r => ($"{s.Stage}: {r.Key}", (double)r.Value))).ToList();
        page.Append("<h3>Answers rejected and asked again</h3>");
        page.Append(rejected.Count > 0 ? SvgChart.Bars("rejected answers by reason", rejected) : P("No answer was rejected."));
        page.Append("<table><tr><th>stage</th><th>items</th><th>accepted</th><th>quarantined</th><th>skipped</th><th>answers rejected</th></tr>");
        foreach (var stage in stats)
        {
            page.Append("<tr><td>").Append(E(stage.Stage)).Append("</td><td>").Append(stage.Total).Append("</td><td>").Append(stage.Ok).Append("</td><td>")
                .Append(stage.Quarantined).Append("</td><td>").Append(stage.Skipped).Append("</td><td>").Append(stage.RejectedByReason.Values.Sum()).Append("</td></tr>");
        }

        page.Append("</table>");
    }

    private static void Costs(StringBuilder page, RunManifest manifest)
    {
        Section(page, "Tokens and cost per stage", "costs");
        if (manifest.Costs.Count == 0)
        {
            page.Append(P("The ledger holds no answers for these stages yet."));
            return;
        }

        page.Append(SvgChart.Bars("tokens per stage", [.. manifest.Costs.GroupBy(c => c.Stage).Select(g => (g.Key, (double)g.Sum(c => c.InputTokens + c.OutputTokens)))]));
        var priced = manifest.Costs.Where(c => c.Dollars is not null).GroupBy(c => c.Stage).Select(g => (g.Key, (double)g.Sum(c => c.Dollars!.Value))).ToList();
        page.Append(SvgChart.Bars("cost per stage (USD; batch answers at the batch price)", priced, v => v.ToString("$0.0000", CultureInfo.InvariantCulture)));
        page.Append("<table><tr><th>stage</th><th>model</th><th>requests</th><th>answered</th><th>input tokens</th><th>output tokens</th><th>sends</th><th>cost</th></tr>");
        foreach (var cost in manifest.CostTotal is { } total ? [.. manifest.Costs, total] : manifest.Costs)
        {
            page.Append("<tr><td>").Append(E(cost.Stage)).Append("</td><td>").Append(E(cost.Model)).Append("</td><td>").Append(cost.Requests).Append("</td><td>").Append(cost.Answered)
                .Append("</td><td>").Append(N(cost.InputTokens)).Append("</td><td>").Append(N(cost.OutputTokens)).Append("</td><td>").Append(cost.Sends).Append("</td><td>")
                .Append(cost.Dollars is { } d ? d.ToString("$0.0000", CultureInfo.InvariantCulture) : "price unknown").Append("</td></tr>");
        }

        page.Append("</table>");
    }

    /// <summary>The latency chart, from the ledger opened read-only: the report reads a run and never changes it.</summary>
    private static async Task LatencyAsync(StringBuilder page, string runDir, RunManifest manifest, CancellationToken cancellationToken)
    {
        Section(page, "Teacher latency", "latency");
        var path = Path.Combine(runDir, manifest.Ledger);
        if (!File.Exists(path))
        {
            page.Append(P($"The ledger {path} is not here, so there is no latency chart (the tokens and costs above are the ones run.json kept)."));
            return;
        }

        IReadOnlyList<(string Stage, long LatencyMs)> latencies;
        try
        {
            await using var ledger = await TeacherLedger.OpenReadOnlyAsync(path, cancellationToken);
            latencies = await ledger.LatenciesAsync([.. manifest.Stages.Select(s => s.Stage)], cancellationToken);
        }
        catch (Exception e) when (e is SqliteException or InvalidOperationException)
        {
            page.Append(P($"The ledger {path} cannot be read ({e.Message}), so there is no latency chart."));
            return;
        }

        if (latencies.Count == 0)
        {
            page.Append(P("The ledger holds no answers for these stages yet."));
            return;
        }

        foreach (var stage in latencies.GroupBy(l => l.Stage))
        {
            var sorted = stage.Select(l => (double)l.LatencyMs).Order().ToList();
            var scale = DurationScale.For(sorted[^1]);
            page.Append("<h3>").Append(E(stage.Key)).Append("</h3>").Append(SvgChart.Histogram($"{stage.Key} latency", [.. sorted.Select(scale.Of)], $"{scale.Name} per answer"))
                .Append(P($"{sorted.Count} answers; median {scale.Format(sorted[sorted.Count / 2])}, p95 {scale.Format(sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(0.95 * sorted.Count) - 1)])}, max {scale.Format(sorted[^1])}."));
        }
    }

    private static void Estimate(StringBuilder page, RunManifest manifest, string title, string id)
    {
        if (manifest.Estimate.Count == 0)
        {
            return;
        }

        Section(page, title, id);
        page.Append(SvgChart.Bars("estimated tokens per stage", [.. manifest.Estimate.GroupBy(e => e.Stage).Select(g => (g.Key, (double)g.Sum(e => e.InputTokens + e.OutputTokens)))]));
        var priced = manifest.Estimate.Where(e => e.Online is not null).GroupBy(e => e.Stage).ToList();
        if (priced.Count > 0)
        {
            page.Append(SvgChart.Bars(
                "estimated cost per stage (USD): online and through the Batch API",
                [.. priced.SelectMany(g => new[] { ($"{g.Key}: online", (double)g.Sum(e => e.Online!.Value)), ($"{g.Key}: batch", (double)g.Sum(e => e.Batch!.Value)) })],
                v => v.ToString("$0.0000", CultureInfo.InvariantCulture)));
        }

        page.Append("<table><tr><th>stage</th><th>model</th><th>requests</th><th>input tokens</th><th>output tokens (at most)</th><th>online</th><th>batch</th></tr>");
        foreach (var line in manifest.Estimate)
        {
            page.Append("<tr><td>").Append(E(line.Stage)).Append("</td><td>").Append(E(line.Model)).Append("</td><td>").Append(line.Requests).Append("</td><td>").Append(N(line.InputTokens))
                .Append("</td><td>").Append(N(line.OutputTokens)).Append("</td><td>").Append(Dollars(line.Online)).Append("</td><td>").Append(Dollars(line.Batch)).Append("</td></tr>");
        }

        var total = CostEstimate.Total(manifest.Estimate);
        page.Append("<tr><th>total</th><th></th><th>").Append(total.Requests).Append("</th><th>").Append(N(total.InputTokens)).Append("</th><th>").Append(N(total.OutputTokens))
            .Append("</th><th>").Append(Dollars(total.Online)).Append("</th><th>").Append(Dollars(total.Batch)).Append("</th></tr></table>");
        if (total.Unpriced is { } unpriced)
        {
            page.Append(P($"{unpriced}: name a priced model, or add its price under prices: in the teacher configuration."));
        }

        if (total.AtCommonModels.Count > 0)
        {
            page.Append(P($"With no model named, the requests would cost: {CostEstimate.DescribeCommonModels(total.AtCommonModels, Dollars)}."));
        }

        if (manifest.RequestFiles.Count > 0)
        {
            page.Append(P("Batch API request files: ")).Append("<ul>");
            foreach (var file in manifest.RequestFiles)
            {
                page.Append("<li><a href=\"").Append(E(file.Path)).Append("\">").Append(E(file.Path)).Append("</a>: ").Append(file.Requests).Append(" requests for ").Append(E(file.Model)).Append("</li>");
            }

            page.Append("</ul>");
        }
    }

    private static void Section(StringBuilder page, string title, string id) => page.Append("<h2 id=\"").Append(id).Append("\">").Append(E(title)).Append("</h2>");

    private static string P(string text) => $"<p>{E(text)}</p>";

    private static string E(string text) => SvgChart.Escape(text);

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Dollars(decimal? value) => value is { } d ? d.ToString("$0.0000", CultureInfo.InvariantCulture) : "price unknown";
}
