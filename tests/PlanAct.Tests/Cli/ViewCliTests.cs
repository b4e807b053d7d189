namespace PlanAct.Tests.Cli;

/// <summary><c>planact view</c>'s refusals: bad input named with its file (and line), before anything is served.</summary>
public class ViewCliTests
{
    [Fact]
    public async Task A_missing_path_or_a_malformed_records_file_is_bad_input_with_its_location()
    {
        var dir = TestPaths.TempDir();
        var missing = Path.Combine(dir, "missing.jsonl");
        var malformed = Path.Combine(dir, "plans.jsonl");
        await File.WriteAllTextAsync(malformed, "{\"schema\": \"planact/plan@1\", \"id\": \"a\"\n");

        var absent = await PlanactCli.RunAsync("view", missing);
        var broken = await PlanactCli.RunAsync("view", malformed);
        var notARun = await PlanactCli.RunAsync("view", dir);

        Assert.Equal(3, absent.ExitCode);
        Assert.Contains($"planact: error: {missing}: no such file or folder", absent.Stderr, StringComparison.Ordinal);
        Assert.Equal(3, broken.ExitCode);
        Assert.Contains($"planact: error: {malformed}:1: malformed JSON", broken.Stderr, StringComparison.Ordinal);
        Assert.Equal(3, notARun.ExitCode);
        Assert.Contains("run.json", notARun.Stderr, StringComparison.Ordinal);
        Assert.All(new[] { absent, broken, notARun }, r => Assert.DoesNotContain("   at ", r.Stderr, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_port_out_of_range_is_a_usage_error()
    {
        var result = await PlanactCli.RunAsync("view", TestPaths.Samples, "--port", "70000");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--port must be from 0 (a free port) to 65535", result.Stderr, StringComparison.Ordinal);
    }
}
