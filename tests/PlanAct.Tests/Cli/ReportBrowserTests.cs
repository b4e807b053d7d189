using System.Text.Json;
using Microsoft.Playwright;
using PlanAct.Loopback;

namespace PlanAct.Tests.Cli;

/// <summary>A test that needs the system Chromium; skipped, saying why, only where it is not installed (CI installs it).</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Chromium))
        {
            Skip = $"{Chromium} is not installed: `apt-get install -y chromium` (the CI script .ci/run installs it) to run the report's browser test";
        }
    }
}

/// <summary>The system Chromium, headless, offline, with a profile of its own; and what a page asks of anywhere else.</summary>
internal static class HeadlessChromium
{
    private static readonly string[] Flags =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    public static Task<IBrowserContext> LaunchAsync(IPlaywright playwright, string profile) =>
        playwright.Chromium.LaunchPersistentContextAsync(
            profile, new BrowserTypeLaunchPersistentContextOptions { ExecutablePath = ChromiumFactAttribute.Chromium, Headless = true, Args = Flags });

    /// <summary>The URLs <paramref name="page"/> requests that do not start with <paramref name="allowed"/>, as they happen.</summary>
    public static List<string> RequestsOutside(IPage page, string allowed)
    {
        var outside = new List<string>();
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(allowed, StringComparison.Ordinal))
            {
                outside.Add(request.Url);
            }
        };
        return outside;
    }
}

/// <summary>The run report opened in headless Chromium: every chart drawn, nothing fetched from the network, a screenshot kept.</summary>
public class ReportBrowserTests
{
    [ChromiumFact]
    public async Task The_report_of_a_full_run_renders_every_chart_offline_in_chromium()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, n) =>
            new LoopbackReply.Delayed(TimeSpan.FromMilliseconds(5 * (n % 7)), n % 5 == 0 && ScriptedPipeline.IsAnnotate(r) && !ScriptedPlans.IsReask(r) ? new LoopbackReply.Answer(ScriptedPlans.BrokenPartition(ScriptedPlans.ActionCount(r))) : ScriptedPipeline.Answer(r)));
        var dir = TestPaths.TempDir();
        var run = Path.Combine(dir, "run");
        var result = await PlanactCli.RunAsync(
            new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-test" },
            "run", "--run-dir", run, "--ledger", Path.Combine(dir, "ledger.db"), "--base-url", teacher.BaseUrl.ToString(), "--model", "gpt-4o-mini");
        Assert.True(result.ExitCode is 0 or 4, result.Stderr);
        var report = Path.Combine(dir, "again.html");
        var rewritten = await PlanactCli.RunAsync("report", run, "--out", report);
        Assert.True(rewritten.ExitCode == 0, rewritten.Stderr);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright, Path.Combine(dir, "chromium-profile"));
        var page = await browser.NewPageAsync();
        var fetched = HeadlessChromium.RequestsOutside(page, "file:");
        await page.GotoAsync(new Uri(Path.Combine(run, "report.html")).AbsoluteUri);

        var charts = JsonDocument.Parse(await page.EvaluateAsync<string>(
            """
            () => JSON.stringify([...document.querySelectorAll('svg.chart')].map(svg => {
              const box = svg.getBoundingClientRect();
              const bars = [...svg.querySelectorAll('rect.bar')].filter(b => b.getBoundingClientRect().width > 0 && b.getBoundingClientRect().height > 0);
              return { label: svg.getAttribute('aria-label'), width: box.width, height: box.height, bars: bars.length };
            }))
            """)).RootElement.EnumerateArray().ToList();
        var labels = charts.Select(c => c.GetProperty("label").GetString()!).ToList();
        Directory.CreateDirectory(Path.Combine(TestPaths.Root, "TestResults"));
        var screenshot = Path.Combine(TestPaths.Root, "TestResults", "report.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });

        foreach (var expected in new[] { "trajectories per site", "steps per plan", "tokens per planner record", "tokens per executor record", "items by outcome", "rejected answers by reason", "tokens per stage", "cost per stage (USD; batch answers at the batch price)", "generated pairs by outcome", "annotate latency" })
        {
            Assert.Contains(expected, labels);
        }

        Assert.All(charts, chart =>
        {
            Assert.True(chart.GetProperty("width").GetDouble() > 100 && chart.GetProperty("height").GetDouble() > 20, chart.ToString());
            Assert.True(chart.GetProperty("bars").GetInt32() > 0, chart.ToString());
        });
        Assert.Empty(fetched);
        Assert.Equal(5, await page.Locator("svg[aria-label='trajectories per site'] rect.bar").CountAsync());
        Assert.True(new FileInfo(screenshot).Length > 10_000);
        Assert.Equal(await File.ReadAllTextAsync(report), await File.ReadAllTextAsync(Path.Combine(run, "report.html")), ignoreLineEndingDifferences: false);
    }
}
