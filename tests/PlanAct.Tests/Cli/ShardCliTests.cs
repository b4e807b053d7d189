using PlanAct.Loopback;

namespace PlanAct.Tests.Cli;

/// <summary>--shard i/n on a stage and on the pipeline, and planact merge.</summary>
public class ShardCliTests
{
    private static readonly string Samples = Path.Combine("samples", "trajectories.jsonl");

    private static IReadOnlyDictionary<string, string> Key => new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-test" };

    [Fact]
    public async Task Shards_of_annotate_share_the_work_and_merge_into_the_unsharded_output()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedPlans.Valid(r));
        var dir = TestPaths.TempDir();
        string[] Annotate(string outPath, string ledger, params string[] more) =>
            ["annotate", "--input", Samples, "--out", outPath, "--base-url", teacher.BaseUrl.ToString(), "--model", "loopback-model", "--ledger", Path.Combine(dir, ledger), .. more];

        var whole = await PlanactProcess.RunAsync(Key, Annotate(Path.Combine(dir, "whole.jsonl"), "whole.db"));
        var callsForWhole = teacher.Calls;
        var parts = new List<string>();
        for (var i = 1; i <= 3; i++)
        {
            var part = Path.Combine(dir, $"part{i}", "plans.jsonl");
            var result = await PlanactProcess.RunAsync(Key, Annotate(part, $"part{i}.db", "--shard", $"{i}/3"));
            Assert.True(result.ExitCode == 0, result.Stderr);
            parts.Add(part);
        }

        parts.Reverse();
        var merged = await PlanactProcess.RunAsync(["merge", "--input", Samples, "--out", Path.Combine(dir, "merged.jsonl"), .. parts]);
        var twice = await PlanactProcess.RunAsync(["merge", "--input", Samples, "--out", Path.Combine(dir, "twice.jsonl"), parts[0], parts[0]]);
        var badShard = await PlanactProcess.RunAsync(Annotate(Path.Combine(dir, "x.jsonl"), "x.db", "--shard", "4/3"));

        Assert.True(whole.ExitCode == 0, whole.Stderr);
        Assert.Equal(17, teacher.Calls - callsForWhole);
        Assert.All(parts, p => Assert.InRange(File.ReadAllLines(p).Length, 1, 16));
        Assert.True(merged.ExitCode == 0, merged.Stderr);
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(dir, "whole.jsonl")), await File.ReadAllTextAsync(Path.Combine(dir, "merged.jsonl")));
        Assert.Equal(3, twice.ExitCode);
        Assert.Contains("is in more than one shard", twice.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, badShard.ExitCode);
    }

    [Fact]
    public async Task A_sharded_pipeline_run_makes_only_its_part_and_merged_executor_data_equals_the_whole_run()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedPlans.Valid(r));
        var dir = TestPaths.TempDir();
        string[] Run(string name, params string[] more) =>
            ["run", "--run-dir", Path.Combine(dir, name), "--ledger", Path.Combine(dir, name + ".db"), "--base-url", teacher.BaseUrl.ToString(), "--model", "loopback-model", .. more];

        var whole = await PlanactProcess.RunAsync(Key, Run("whole"));
        var one = await PlanactProcess.RunAsync(Key, Run("one", "--shard", "1/2"));
        var two = await PlanactProcess.RunAsync(Key, Run("two", "--shard", "2/2"));
        var merged = await PlanactProcess.RunAsync(
            ["merge", "--input", Samples, "--out", Path.Combine(dir, "executor.jsonl"), Path.Combine(dir, "one", "executor.jsonl"), Path.Combine(dir, "two", "executor.jsonl")]);

        Assert.True(whole.ExitCode == 0, whole.Stderr);
        Assert.True(one.ExitCode == 0, one.Stderr);
        Assert.True(two.ExitCode == 0, two.Stderr);
        Assert.True(merged.ExitCode == 0, merged.Stderr);
        Assert.DoesNotContain("without a plan", one.Stderr.Replace("0 without a plan", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(dir, "whole", "executor.jsonl")), await File.ReadAllTextAsync(Path.Combine(dir, "executor.jsonl")));
    }
}
