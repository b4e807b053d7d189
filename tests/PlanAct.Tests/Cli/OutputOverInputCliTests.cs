namespace PlanAct.Tests.Cli;

/// <summary>An output never overwrites an input: the command refuses with exit 2 before reading or writing anything.</summary>
public class OutputOverInputCliTests
{
    [Fact]
    public async Task Export_convert_and_stages_refuse_an_output_that_is_one_of_their_inputs()
    {
        var dir = TestPaths.TempDir();
        var input = Path.Combine(dir, "trajectories.jsonl");
        File.Copy(Path.Combine(TestPaths.Samples, "trajectories.jsonl"), input);
        var before = await File.ReadAllBytesAsync(input);
        var link = Path.Combine(dir, "link.jsonl");
        File.CreateSymbolicLink(link, input);

        var cases = new[]
        {
            new[] { "export", "--input", input, "--format", "openai-chat", "--out", input },
            ["convert", input, "--to", "jsonl", "--out", link],
            ["annotate", "--input", input, "--out", link, "--dry-run"],
            ["act", "--input", dir, "--plans", input, "--out", Path.Combine(dir, "executor.jsonl")],
        };
        foreach (var args in cases)
        {
            var result = await PlanactCli.RunAsync(args);
            Assert.True(result.ExitCode == 2, $"{args[0]}: exit {result.ExitCode}: {result.Stderr}");
            Assert.Contains("would overwrite the input", result.Stderr, StringComparison.Ordinal);
        }

        Assert.Equal(before, await File.ReadAllBytesAsync(input));
        Assert.False(File.Exists(Path.Combine(dir, "executor.jsonl")));
    }
}
