using System.Text.Json;

namespace PlanAct.Tests.Cli;

/// <summary>inspect and convert on the real ADP, BrowserGym and WebVoyager samples.</summary>
public class ForeignFormatCliTests
{
    [Fact]
    public async Task Inspect_shows_grammars_observation_kinds_and_no_unknown_actions()
    {
        var result = await PlanactCli.RunAsync("inspect", TestPaths.RealFixture("webvoyager_taskBooking--1_interact_messages.json"), "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var doc = JsonDocument.Parse(result.Stdout);
        var root = doc.RootElement;
        Assert.Equal(1, root.GetProperty("grammars").GetProperty("webvoyager").GetInt32());
        Assert.Equal(3, root.GetProperty("observation_kinds").GetProperty("element-list").GetInt32());
        Assert.Equal(6, root.GetProperty("observation_kinds").GetProperty("missing").GetInt32());
        Assert.Equal(0, root.GetProperty("unknown_actions").GetInt32());
        Assert.Equal(1, root.GetProperty("sites").GetProperty("www.booking.com").GetInt32());

        var text = await PlanactCli.RunAsync("inspect", TestPaths.RealFixture("adp_go-browse-wa_sample_std.json"));
        Assert.True(text.ExitCode == 0, text.Stderr);
        Assert.Contains("grammars:       browsergym 5", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("observations:   axtree 28", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("sites:          map 5", text.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Convert_writes_any_format_as_planact_jsonl_and_refuses_sft_for_other_grammars()
    {
        var dir = TestPaths.TempDir();
        var output = Path.Combine(dir, "nnetnav.jsonl");
        var result = await PlanactCli.RunAsync("convert", TestPaths.RealFixture("adp_nnetnav-live_sample_std.json"), "--out", output);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("convert: 5 ok, 0 skipped as invalid", result.Stderr, StringComparison.Ordinal);
        var lines = File.ReadAllLines(output);
        Assert.Equal(5, lines.Length);
        using (var first = JsonDocument.Parse(lines[0]))
        {
            Assert.Equal("planact/trajectory@2", first.RootElement.GetProperty("schema").GetString());
            Assert.Equal("browsergym", first.RootElement.GetProperty("grammar").GetString());
            Assert.Equal("axtree", first.RootElement.GetProperty("steps")[0].GetProperty("observation").GetString());
        }

        var again = await PlanactCli.RunAsync("inspect", output, "--json");
        Assert.True(again.ExitCode == 0, again.Stderr);
        using (var report = JsonDocument.Parse(again.Stdout))
        {
            Assert.Equal(30, report.RootElement.GetProperty("steps").GetInt32());
        }

        var sft = await PlanactCli.RunAsync("convert", TestPaths.RealFixture("adp_nnetnav-live_sample_std.json"), "--to", "sft", "--out", Path.Combine(dir, "x.json"));
        Assert.Equal(3, sft.ExitCode);
        Assert.Contains("holds WebRL ones only", sft.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, "x.json")));

        var forced = await PlanactCli.RunAsync("convert", TestPaths.RealFixture("adp_synatra_sample_std.json"), "--format", "browsergym", "--out", Path.Combine(dir, "y.jsonl"));
        Assert.NotEqual(0, forced.ExitCode);
        Assert.Contains("adp_synatra_sample_std.json: element [0]: not a BrowserGym step record", forced.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stages_take_format_and_source_reasoning_is_not_mixed_with_cot()
    {
        var dir = TestPaths.TempDir();
        var adp = TestPaths.RealFixture("adp_synatra_sample_std.json");
        var forced = await PlanactCli.RunAsync("annotate", "--input", adp, "--out", Path.Combine(dir, "plans.jsonl"), "--dry-run", "--format", "webvoyager");
        Assert.Equal(3, forced.ExitCode);
        Assert.Contains("not a WebVoyager run: no user message", forced.Stderr, StringComparison.Ordinal);

        var told = await PlanactCli.RunAsync("annotate", "--input", adp, "--out", Path.Combine(dir, "plans.jsonl"), "--dry-run");
        Assert.True(told.ExitCode == 0, told.Stderr);

        var plans = Path.Combine(dir, "none.jsonl");
        await File.WriteAllTextAsync(plans, "");
        var both = await PlanactCli.RunAsync("act", "--input", adp, "--plans", plans, "--out", Path.Combine(dir, "x.jsonl"), "--cot", "--reasoning", "source", "--dry-run");
        Assert.NotEqual(0, both.ExitCode);
        Assert.Contains("choose one", both.Stderr, StringComparison.Ordinal);
    }
}
