using PlanAct.Tests.Training;

namespace PlanAct.Tests.Cli;

public class ExportFormatsCliTests
{
    [Fact]
    public async Task Export_writes_a_hugging_face_folder_with_a_validation_split_and_a_validation_file_beside_a_jsonl_output()
    {
        var dir = TestPaths.TempDir();
        var plans = await TestPlans.WriteAsync(Path.Combine(dir, "plans.jsonl"), (await TestPlans.SampleTrajectoriesAsync()).Select(TestPlans.For));
        var executor = Path.Combine(dir, "executor.jsonl");
        var act = await PlanactCli.RunAsync("act", "--input", "samples/trajectories.jsonl", "--plans", plans, "--out", executor);
        Assert.True(act.ExitCode == 0, act.Stderr);

        var folder = Path.Combine(dir, "executor-dataset");
        var hf = await PlanactCli.RunAsync("export", "--input", executor, "--format", "hf", "--validation", "0.2", "--out", folder);
        Assert.True(hf.ExitCode == 0, hf.Stderr);
        Assert.Contains("115 examples ok (hf)", hf.Stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(folder, "data", "executor", "train-00000.parquet")));
        Assert.True(File.Exists(Path.Combine(folder, "data", "executor", "validation-00000.parquet")));
        Assert.StartsWith("---\nconfigs:\n", await File.ReadAllTextAsync(Path.Combine(folder, "README.md")), StringComparison.Ordinal);

        var beside = await PlanactCli.RunAsync("export", "--input", executor, "--format", "trl", "--validation", "0.2", "--out", Path.Combine(dir, "x.jsonl"));
        Assert.True(beside.ExitCode == 0, beside.Stderr);
        var lines = File.ReadLines(Path.Combine(dir, "x.jsonl")).Count() + File.ReadLines(Path.Combine(dir, "x.validation.jsonl")).Count();
        Assert.Equal(115, lines);

        var tooBig = await PlanactCli.RunAsync("export", "--input", executor, "--format", "hf", "--validation", "0.9", "--out", folder);
        Assert.Equal(2, tooBig.ExitCode);
        Assert.Contains("--validation must be above 0 and at most 0.5", tooBig.Stderr, StringComparison.Ordinal);
    }
}
