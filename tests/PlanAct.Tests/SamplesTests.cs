using System.Text.Json;
using PlanAct.Actions;
using PlanAct.Tests.Cli;
using PlanAct.Trajectories;

namespace PlanAct.Tests;

/// <summary>The bundled samples are valid, cover what the issue asks, and are what the tool makes from their source.</summary>
public class SamplesTests
{
    private static readonly string SftPath = Path.Combine(TestPaths.Samples, "webarena-lite-sft.json");

    private static Task<List<Trajectory>> Read(string path) =>
        TrajectoryFiles.ReadAsync(path, new TrajectoryReadOptions()).ToListAsync().AsTask();

    [Fact]
    public async Task Samples_cover_every_site_with_valid_trajectories()
    {
        var trajectories = await Read(SftPath);
        Assert.True(trajectories.Count >= 15);
        foreach (var site in new[] { "shopping", "shopping_admin", "reddit", "gitlab", "map" })
        {
            Assert.True(trajectories.Count(t => t.Site == site) >= 3, site);
        }

        Assert.All(trajectories, t =>
        {
            Assert.InRange(t.Steps.Count, 3, 15);
            Assert.Equal(ActionKind.Exit, t.Steps[^1].Action.Kind);
            Assert.Equal(TestPaths.StartPages[t.Site], t.Steps[0].Html);
            Assert.All(t.Steps, s => Assert.Empty(s.Action.Problems()));
        });

        var kinds = trajectories.SelectMany(t => t.Steps).Select(s => s.Action.Kind).ToHashSet();
        Assert.Superset(new HashSet<ActionKind> { ActionKind.Type, ActionKind.Search, ActionKind.SelectDropdownOption, ActionKind.ScrollDown, ActionKind.Hover, ActionKind.GoBackward }, kinds);
        Assert.Contains(trajectories.SelectMany(t => t.Steps), s => s.Action.Notes.Any());
        Assert.True(trajectories.GroupBy(t => t.Task).Any(g => g.Count() > 1), "two runs of one task");
    }

    [Fact]
    public async Task Every_sample_action_round_trips()
    {
        foreach (var step in (await Read(SftPath)).SelectMany(t => t.Steps))
        {
            Assert.Equal(step.Action, ActionParser.Parse(ActionPrinter.Print(step.Action)));
        }
    }

    [Fact]
    public async Task Samples_are_not_test_intents()
    {
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(TestPaths.RealFixture("vab_test_webarena_lite.raw.json")));
        var test = doc.RootElement.EnumerateArray().Select(e => e.GetProperty("intent").GetString()!.Trim().ToLowerInvariant()).ToHashSet();
        Assert.All(await Read(SftPath), t => Assert.DoesNotContain(t.Task.Trim().ToLowerInvariant(), test));
    }

    [Fact]
    public async Task Bundled_test_intents_are_the_intents_of_the_real_test_configs()
    {
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(TestPaths.RealFixture("vab_test_webarena_lite.raw.json")));
        using var bundled = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(TestPaths.Samples, "webarena-lite-test-intents.json")));
        Assert.Equal(
            doc.RootElement.EnumerateArray().Select(e => e.GetProperty("intent").GetString()),
            bundled.RootElement.EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Generated_sample_files_are_what_the_tool_makes_today()
    {
        var dir = TestPaths.TempDir();
        var sft = Path.Combine(dir, "sft.json");
        var jsonl = Path.Combine(dir, "trajectories.jsonl");
        var toSft = await PlanactCli.RunAsync("convert", "samples/authoring/trajectories.jsonl", "--to", "sft", "--out", sft);
        Assert.True(toSft.ExitCode == 0, toSft.Stderr);
        Assert.Equal(await File.ReadAllTextAsync(SftPath), await File.ReadAllTextAsync(sft));

        var toJsonl = await PlanactCli.RunAsync("convert", "samples/webarena-lite-sft.json", "--to", "jsonl", "--out", jsonl);
        Assert.True(toJsonl.ExitCode == 0, toJsonl.Stderr);
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(TestPaths.Samples, "trajectories.jsonl")), await File.ReadAllTextAsync(jsonl));
    }

    [Fact]
    public async Task Inspect_on_the_samples_counts_them()
    {
        var result = await PlanactCli.RunAsync("inspect", "samples/webarena-lite-sft.json", "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var doc = JsonDocument.Parse(result.Stdout);
        var trajectories = await Read(SftPath);
        Assert.Equal(trajectories.Count, doc.RootElement.GetProperty("trajectories").GetInt32());
        Assert.Equal(trajectories.Sum(t => t.Steps.Count), doc.RootElement.GetProperty("steps").GetInt32());
        Assert.Equal(4, doc.RootElement.GetProperty("sites").GetProperty("map").GetInt32());
        Assert.Empty(doc.RootElement.GetProperty("problems").EnumerateArray());
    }
}
