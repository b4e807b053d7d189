using System.Text.Json;
using PlanAct.Tests.Trajectories;

namespace PlanAct.Tests.Cli;

public class InspectAndConvertCliTests
{
    private static string WriteSample(string dir)
    {
        var steps = SftBuilder.Steps(
            "Find the mug price",
            [TestPaths.StartPages["shopping"], "<html> <a id=\"0\"> Mug </a> </html>"],
            ["# Element: the search bar\ndo(action=\"Search\", argument=\"mug\", element=\"5\")", "exit(message=\"$5\")"]);
        var map = SftBuilder.Steps("Where is CMU?", [TestPaths.StartPages["map"]], ["exit(message=\"Pittsburgh\")"]);
        return new SftBuilder().Add(steps).Add(map).WriteTo(dir);
    }

    [Fact]
    public async Task Inspect_json_prints_counts()
    {
        var path = WriteSample(TestPaths.TempDir());
        var result = await PlanactCli.RunAsync("inspect", path, "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var doc = JsonDocument.Parse(result.Stdout);
        var root = doc.RootElement;
        Assert.Equal(2, root.GetProperty("trajectories").GetInt32());
        Assert.Equal(3, root.GetProperty("steps").GetInt32());
        Assert.Equal(1, root.GetProperty("sites").GetProperty("shopping").GetInt32());
        Assert.Equal(1, root.GetProperty("sites").GetProperty("map").GetInt32());
        Assert.Equal(0, root.GetProperty("problems").GetArrayLength());
        Assert.Equal(2, root.GetProperty("action_types").GetProperty("exit").GetInt32());
    }

    [Fact]
    public async Task A_truncated_file_fails_with_its_location_and_writes_nothing()
    {
        var dir = TestPaths.TempDir();
        var path = WriteSample(dir);
        var text = await File.ReadAllTextAsync(path);
        await File.WriteAllTextAsync(path, text[..(text.Length * 2 / 3)]);
        var output = Path.Combine(dir, "out.jsonl");

        var inspect = await PlanactCli.RunAsync("inspect", path, "--json");
        Assert.Equal(3, inspect.ExitCode);
        Assert.Contains($"{path}:", inspect.Stderr, StringComparison.Ordinal);
        Assert.Empty(inspect.Stdout);

        var convert = await PlanactCli.RunAsync("convert", path, "--out", output);
        Assert.Equal(3, convert.ExitCode);
        Assert.Contains("not a valid WebArena-Lite SFT JSON array", convert.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
        Assert.Single(Directory.GetFiles(dir));
    }

    [Fact]
    public async Task Invalid_trajectories_stop_conversion_unless_skipped()
    {
        var dir = TestPaths.TempDir();
        var good = SftBuilder.Steps("Good task", [TestPaths.StartPages["reddit"], "<p> x </p>"], ["do(action=\"Click\", element=\"1\")", "exit()"]);
        var bad = SftBuilder.Steps("Bad task", [TestPaths.StartPages["reddit"], "<p> x </p>", "<p> y </p>"], ["do(action=\"Click\", element=\"1\")", "do(action=\"Scroll Down\")", "exit()"]);
        var path = new SftBuilder().Add(good).Add([bad[0], bad[2]]).WriteTo(dir);
        var output = Path.Combine(dir, "out.jsonl");

        var strict = await PlanactCli.RunAsync("convert", path, "--out", output);
        Assert.Equal(3, strict.ExitCode);
        Assert.Contains("element [3]: gap in rounds", strict.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));

        var skipping = await PlanactCli.RunAsync("convert", path, "--out", output, "--skip-invalid");
        Assert.Equal(4, skipping.ExitCode);
        Assert.Contains("1 ok, 2 skipped as invalid", skipping.Stderr, StringComparison.Ordinal);
        Assert.Single(File.ReadAllLines(output));

        var inspect = await PlanactCli.RunAsync("inspect", path, "--json");
        Assert.Equal(4, inspect.ExitCode);
        using var doc = JsonDocument.Parse(inspect.Stdout);
        Assert.Equal(1, doc.RootElement.GetProperty("trajectories").GetInt32());
        Assert.Contains(doc.RootElement.GetProperty("problems").EnumerateArray(), p => p.GetProperty("element").GetInt32() == 3);
    }

    [Fact]
    public async Task Missing_input_is_bad_input()
    {
        var result = await PlanactCli.RunAsync("inspect", "/nonexistent/file.json");
        Assert.Equal(3, result.ExitCode);
        Assert.Contains("no such file or folder", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_command_has_help_with_an_example()
    {
        foreach (var command in new[] { "inspect", "convert", "act", "export" })
        {
            var result = await PlanactCli.RunAsync(command, "--help");
            Assert.Equal(0, result.ExitCode);
            Assert.Contains("Example:", result.Stdout, StringComparison.Ordinal);
        }
    }
}
