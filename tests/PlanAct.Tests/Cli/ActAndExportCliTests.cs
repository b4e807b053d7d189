using System.Text.Json;
using PlanAct.Actions;
using PlanAct.Export;
using PlanAct.IO;
using PlanAct.Tests.Training;
using PlanAct.Training;

namespace PlanAct.Tests.Cli;

public class ActAndExportCliTests
{
    private static readonly string SamplesJsonl = Path.Combine("samples", "trajectories.jsonl");

    private static async Task<string> WritePlansAsync(string dir, int? take = null)
    {
        var trajectories = await TestPlans.SampleTrajectoriesAsync();
        return await TestPlans.WriteAsync(Path.Combine(dir, "plans.jsonl"), trajectories.Take(take ?? trajectories.Count).Select(TestPlans.For));
    }

    [Fact]
    public async Task Act_writes_one_example_per_step_with_the_ground_truth_targets()
    {
        var dir = TestPaths.TempDir();
        var plans = await WritePlansAsync(dir);
        var output = Path.Combine(dir, "executor.jsonl");
        var result = await PlanactCli.RunAsync("act", "--input", "samples/webarena-lite-sft.json", "--plans", plans, "--out", output);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("115 examples from 17 trajectories ok, 0 trajectories skipped without a plan, 0 plans without a trajectory, 0 skipped as invalid", result.Stderr, StringComparison.Ordinal);

        var examples = await ExampleJsonl.ReadAsync(output, new ProblemLog()).ToListAsync();
        var trajectories = await TestPlans.SampleTrajectoriesAsync();
        Assert.Equal(trajectories.Sum(t => t.Steps.Count), examples.Count);
        foreach (var trajectory in trajectories)
        {
            foreach (var step in trajectory.Steps)
            {
                var example = Assert.Single(examples, e => e.Source == new ExampleSource(trajectory.Id, step.Index, trajectory.Id));
                Assert.Equal(step.Action, ActionParser.Parse(example.Target.Content));
                Assert.Equal(2 * step.Index + 3, example.Messages.Count);
            }
        }
    }

    [Fact]
    public async Task Act_lists_trajectories_without_a_plan()
    {
        var dir = TestPaths.TempDir();
        var plans = await WritePlansAsync(dir, take: 2);
        var output = Path.Combine(dir, "executor.jsonl");
        var result = await PlanactCli.RunAsync("act", "--input", SamplesJsonl, "--plans", plans, "--out", output, "--max-page-tokens", "200");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("15 trajectories skipped without a plan", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("has no plan; skipped", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("pages cut to 200 tokens", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(6 + 9, File.ReadAllLines(output).Length);
    }

    [Fact]
    public async Task Act_on_a_bad_plan_line_names_it_and_writes_nothing()
    {
        var dir = TestPaths.TempDir();
        var plans = await WritePlansAsync(dir, take: 3);
        var lines = await File.ReadAllLinesAsync(plans);
        lines[1] = lines[1][..(lines[1].Length / 2)];
        await File.WriteAllLinesAsync(plans, lines);
        var output = Path.Combine(dir, "executor.jsonl");

        var strict = await PlanactCli.RunAsync("act", "--input", SamplesJsonl, "--plans", plans, "--out", output);
        Assert.Equal(3, strict.ExitCode);
        Assert.Contains($"{plans}:2: malformed JSON", strict.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));

        var skipping = await PlanactCli.RunAsync("act", "--input", SamplesJsonl, "--plans", plans, "--out", output, "--skip-invalid");
        Assert.Equal(4, skipping.ExitCode);
        Assert.Contains("1 skipped as invalid", skipping.Stderr, StringComparison.Ordinal);
        Assert.Equal(6 + 6, File.ReadAllLines(output).Length);
    }

    [Fact]
    public async Task Act_usage_errors()
    {
        var missing = await PlanactCli.RunAsync("act", "--input", SamplesJsonl, "--out", "x.jsonl");
        Assert.Equal(2, missing.ExitCode);
        var zero = await PlanactCli.RunAsync("act", "--input", SamplesJsonl, "--plans", "p.jsonl", "--out", "x.jsonl", "--max-page-tokens", "0");
        Assert.Equal(2, zero.ExitCode);
        Assert.Contains("--max-page-tokens must be a positive number", zero.Stderr, StringComparison.Ordinal);
        var noPlans = await PlanactCli.RunAsync("act", "--input", SamplesJsonl, "--plans", "/nonexistent/plans.jsonl", "--out", Path.Combine(TestPaths.TempDir(), "x.jsonl"));
        Assert.Equal(3, noPlans.ExitCode);
        Assert.Contains("/nonexistent/plans.jsonl: no such file", noPlans.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Act_then_export_in_every_format_with_a_card()
    {
        var dir = TestPaths.TempDir();
        var executor = Path.Combine(dir, "executor.jsonl");
        var act = await PlanactCli.RunAsync("act", "--input", SamplesJsonl, "--plans", await WritePlansAsync(dir), "--out", executor);
        Assert.True(act.ExitCode == 0, act.Stderr);
        foreach (var format in new[] { "openai-chat", "sharegpt", "alpaca", "torchtune", "trl" })
        {
            var output = Path.Combine(dir, format, "train.jsonl");
            var result = await PlanactCli.RunAsync("export", "--input", executor, "--format", format, "--out", output);
            Assert.True(result.ExitCode == 0, result.Stderr);
            Assert.Contains($"115 examples ok ({format})", result.Stderr, StringComparison.Ordinal);
            Assert.All(File.ReadAllLines(output), line => JsonDocument.Parse(line).Dispose());
            var card = await File.ReadAllTextAsync(Path.Combine(dir, format, "train.card.md"));
            Assert.StartsWith(DatasetCard.Marker, card, StringComparison.Ordinal);
            Assert.Contains("| executor | 115 |", card, StringComparison.Ordinal);
            Assert.Contains($"planact export --input {executor} --format {format} --out {output}", card, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Export_of_plan_records_makes_planner_examples_and_skips_overlong_ones()
    {
        var dir = TestPaths.TempDir();
        var plans = await WritePlansAsync(dir);
        var output = Path.Combine(dir, "out", "planner.jsonl");
        var result = await PlanactCli.RunAsync("export", "--input", plans, "--format", "openai-chat", "--out", output, "--max-tokens", "1000");
        Assert.True(result.ExitCode == 0, result.Stderr);
        var written = File.ReadAllLines(output).Length;
        Assert.InRange(written, 1, 16);
        Assert.Contains($"{written} examples ok (openai-chat), {17 - written} left out over the token limit", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("over --max-tokens 1000; left out", result.Stderr, StringComparison.Ordinal);
        using var first = JsonDocument.Parse(File.ReadLines(output).First());
        Assert.StartsWith("## Step 1\nReasoning: ", first.RootElement.GetProperty("messages")[2].GetProperty("content").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_of_a_bad_line_names_it_and_writes_neither_output_nor_card()
    {
        var dir = TestPaths.TempDir();
        var input = Path.Combine(dir, "examples.jsonl");
        var good = ExampleJsonl.Format(ExampleRecordTests.Nasty());
        await File.WriteAllTextAsync(input, $"{good}\n{good.Replace("\"role\":\"user\"", "\"role\":\"tool\"", StringComparison.Ordinal).Replace("t1/executor/1", "t1/executor/9", StringComparison.Ordinal)}\n");
        var output = Path.Combine(dir, "out", "train.jsonl");

        var strict = await PlanactCli.RunAsync("export", "--input", input, "--format", "sharegpt", "--out", output);
        Assert.Equal(3, strict.ExitCode);
        Assert.Contains($"{input}:2: message 1: \"role\" must be system, user or assistant; got \"tool\"", strict.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(dir, "out")) && Directory.EnumerateFiles(Path.Combine(dir, "out")).Any());

        var skipping = await PlanactCli.RunAsync("export", "--input", input, "--format", "sharegpt", "--out", output, "--skip-invalid", "--with-reasoning");
        Assert.Equal(4, skipping.ExitCode);
        Assert.Single(File.ReadAllLines(output));
        Assert.Contains("<think>", File.ReadAllText(output), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_never_overwrites_a_card_it_did_not_write_and_leaves_a_readme_beside_the_output_alone()
    {
        var dir = TestPaths.TempDir();
        var input = Path.Combine(dir, "examples.jsonl");
        await File.WriteAllTextAsync(input, ExampleJsonl.Format(ExampleRecordTests.Nasty()) + "\n");
        await File.WriteAllTextAsync(Path.Combine(dir, "README.md"), "# My project\n");
        var output = Path.Combine(dir, "train.jsonl");

        var beside = await PlanactCli.RunAsync("export", "--input", input, "--format", "alpaca", "--out", output);
        Assert.True(beside.ExitCode == 0, beside.Stderr);
        Assert.Equal("# My project\n", await File.ReadAllTextAsync(Path.Combine(dir, "README.md")));
        Assert.StartsWith(DatasetCard.Marker, await File.ReadAllTextAsync(Path.Combine(dir, "train.card.md")), StringComparison.Ordinal);

        await File.WriteAllTextAsync(Path.Combine(dir, "train.card.md"), "# My notes\n");
        File.Delete(output);
        var refused = await PlanactCli.RunAsync("export", "--input", input, "--format", "alpaca", "--out", output);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--card PATH", refused.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
        Assert.Equal("# My notes\n", await File.ReadAllTextAsync(Path.Combine(dir, "train.card.md")));

        var card = Path.Combine(dir, "CARD.md");
        var ok = await PlanactCli.RunAsync("export", "--input", input, "--format", "alpaca", "--out", output, "--card", card);
        Assert.True(ok.ExitCode == 0, ok.Stderr);
        Assert.StartsWith(DatasetCard.Marker, await File.ReadAllTextAsync(card), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_rejects_unknown_formats_and_inputs()
    {
        var badFormat = await PlanactCli.RunAsync("export", "--input", "x.jsonl", "--format", "csv", "--out", "y.jsonl");
        Assert.Equal(2, badFormat.ExitCode);

        var dir = TestPaths.TempDir();
        var trajectories = Path.Combine(dir, "t.jsonl");
        File.Copy(Path.Combine(TestPaths.Samples, "trajectories.jsonl"), trajectories);
        var wrongKind = await PlanactCli.RunAsync("export", "--input", trajectories, "--format", "sharegpt", "--out", Path.Combine(dir, "o", "y.jsonl"));
        Assert.Equal(3, wrongKind.ExitCode);
        Assert.Contains($"{trajectories}:1: unsupported schema \"planact/trajectory@2\"", wrongKind.Stderr, StringComparison.Ordinal);
    }
}
