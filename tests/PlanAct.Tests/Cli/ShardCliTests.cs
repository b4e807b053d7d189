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

        var whole = await PlanactCli.RunAsync(Key, Annotate(Path.Combine(dir, "whole.jsonl"), "whole.db"));
        var callsForWhole = teacher.Calls;
        var parts = new List<string>();
        for (var i = 1; i <= 3; i++)
        {
            var part = Path.Combine(dir, $"part{i}", "plans.jsonl");
            var result = await PlanactCli.RunAsync(Key, Annotate(part, $"part{i}.db", "--shard", $"{i}/3"));
            Assert.True(result.ExitCode == 0, result.Stderr);
            parts.Add(part);
        }

        parts.Reverse();
        var merged = await PlanactCli.RunAsync(["merge", "--input", Samples, "--out", Path.Combine(dir, "merged.jsonl"), .. parts]);
        var twice = await PlanactCli.RunAsync(["merge", "--input", Samples, "--out", Path.Combine(dir, "twice.jsonl"), parts[0], parts[0]]);
        var badShard = await PlanactCli.RunAsync(Annotate(Path.Combine(dir, "x.jsonl"), "x.db", "--shard", "4/3"));

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
    public async Task Four_shards_of_a_kubernetes_indexed_job_at_once_send_and_merge_exactly_what_one_run_does()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedPlans.Valid(r));
        var dir = TestPaths.TempDir();
        string[] Annotate(string name, params string[] more) =>
            ["annotate", "--input", Samples, "--out", Path.Combine(dir, name, "plans.jsonl"), "--base-url", teacher.BaseUrl.ToString(), "--model", "loopback-model",
             "--ledger", Path.Combine(dir, name, "ledger.db"), "--rpm", "6000", .. more];

        var whole = await PlanactCli.RunAsync(Key, Annotate("whole"));
        Assert.True(whole.ExitCode == 0, whole.Stderr);
        var callsForWhole = teacher.Calls;

        // As an Indexed Job runs them: four pods at once, each told only its index and the job's size.
        var pods = Enumerable.Range(0, 4).Select(index => PlanactProcess.Start(
            new Dictionary<string, string>(Key) { ["JOB_COMPLETION_INDEX"] = $"{index}", ["PLANACT_SHARDS"] = "4" },
            Annotate($"pod{index}", "--shard", "auto"))).ToList();
        var outputs = await Task.WhenAll(pods.Select(async pod =>
        {
            var stderr = pod.StandardError.ReadToEndAsync();
            await pod.StandardOutput.ReadToEndAsync();
            await pod.WaitForExitAsync();
            return (pod.ExitCode, Stderr: await stderr);
        }));
        pods.ForEach(p => p.Dispose());
        var merged = await PlanactCli.RunAsync(["merge", "--input", Samples, "--out", Path.Combine(dir, "merged.jsonl"), .. Enumerable.Range(0, 4).Select(i => Path.Combine(dir, $"pod{i}", "plans.jsonl"))]);

        Assert.All(outputs, o => Assert.True(o.ExitCode == 0, o.Stderr));
        Assert.All(outputs, o => Assert.Contains("1500 rpm", o.Stderr, StringComparison.Ordinal)); // --limits shared: each pod a quarter
        Assert.Equal(callsForWhole, teacher.Calls - callsForWhole);
        Assert.True(merged.ExitCode == 0, merged.Stderr);
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(dir, "whole", "plans.jsonl")), await File.ReadAllTextAsync(Path.Combine(dir, "merged.jsonl")));
    }

    [Theory]
    [InlineData("0", "4", null, "1/4")]
    [InlineData("3", null, "4", "4/4")]
    [InlineData("2", "3", "9", "3/3")]
    public void Shard_auto_reads_the_indexed_job_environment(string index, string? shards, string? completions, string expected)
    {
        var environment = new Dictionary<string, string?> { ["JOB_COMPLETION_INDEX"] = index, ["PLANACT_SHARDS"] = shards, ["JOB_COMPLETIONS"] = completions };
        using var console = PlanAct.Cli.CliConsole.Use(new PlanAct.Cli.CliConsole(TextWriter.Null, TextWriter.Null, TextReader.Null, n => environment.GetValueOrDefault(n), []));

        Assert.Equal(expected, PlanAct.Cli.Commands.ShardFlags.Parse("auto")!.ToString());
    }

    [Theory]
    [InlineData(null, "4")]
    [InlineData("0", null)]
    [InlineData("4", "4")]
    [InlineData("x", "4")]
    public async Task Shard_auto_outside_an_indexed_job_is_a_command_line_error_before_anything_is_made(string? index, string? shards)
    {
        var dir = TestPaths.TempDir();
        var environment = new Dictionary<string, string>();
        if (index is not null)
        {
            environment["JOB_COMPLETION_INDEX"] = index;
        }

        if (shards is not null)
        {
            environment["PLANACT_SHARDS"] = shards;
        }

        var result = await PlanactCli.RunAsync(environment, "annotate", "--input", Samples, "--out", Path.Combine(dir, "plans.jsonl"), "--ledger", Path.Combine(dir, "ledger.db"), "--dry-run", "--shard", "auto");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--shard auto", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir));
    }

    [Fact]
    public void Shared_limits_are_divided_among_the_shards_and_never_reach_zero()
    {
        var limits = new PlanAct.Teacher.Limits.TeacherLimits { Concurrency = 8, RequestsPerMinute = 500, TokensPerMinute = 2_000_000 }.SharedAmong(4);
        Assert.Equal((8, 125, 500_000L), (limits.Concurrency, limits.RequestsPerMinute!.Value, limits.TokensPerMinute!.Value));
        Assert.Equal(1, new PlanAct.Teacher.Limits.TeacherLimits { RequestsPerMinute = 3 }.SharedAmong(4).RequestsPerMinute);
        Assert.Null(new PlanAct.Teacher.Limits.TeacherLimits().SharedAmong(4).RequestsPerMinute);
    }

    [Fact]
    public async Task A_sharded_pipeline_run_makes_only_its_part_and_merged_executor_data_equals_the_whole_run()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedPipeline.Answer(r));
        var dir = TestPaths.TempDir();
        string[] Run(string name, params string[] more) =>
            ["run", "--run-dir", Path.Combine(dir, name), "--ledger", Path.Combine(dir, name + ".db"), "--base-url", teacher.BaseUrl.ToString(), "--model", "loopback-model", .. more];

        var whole = await PlanactCli.RunAsync(Key, Run("whole"));
        var one = await PlanactCli.RunAsync(Key, Run("one", "--shard", "1/2"));
        var two = await PlanactCli.RunAsync(Key, Run("two", "--shard", "2/2"));
        var merged = await PlanactCli.RunAsync(
            ["merge", "--input", Samples, "--out", Path.Combine(dir, "executor.jsonl"), Path.Combine(dir, "one", "executor.jsonl"), Path.Combine(dir, "two", "executor.jsonl")]);

        Assert.True(whole.ExitCode == 0, whole.Stderr);
        // expand and augment select over every answer, so a shard leaves them (and the export after them) to a whole run: exit 5.
        Assert.True(one.ExitCode == 5, one.Stderr);
        Assert.True(two.ExitCode == 5, two.Stderr);
        Assert.Contains("expand: blocked: not split by item", one.Stderr, StringComparison.Ordinal);
        Assert.Contains("replan: done", two.Stderr, StringComparison.Ordinal);
        Assert.True(merged.ExitCode == 0, merged.Stderr);
        // The shard's act pairs its own trajectories only: none is left without a plan (the summary's count and pairing's detail line say 0).
        Assert.DoesNotContain("without a plan", one.Stderr.Replace("0 without a plan", "", StringComparison.Ordinal).Replace("0 trajectories skipped without a plan", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(dir, "whole", "executor.jsonl")), await File.ReadAllTextAsync(Path.Combine(dir, "executor.jsonl")));
        Assert.InRange(File.ReadAllLines(Path.Combine(dir, "one", "labelled.jsonl")).Length, 1, 16);
    }

    [Fact]
    public async Task Act_shards_by_trajectory_and_act_cot_by_step_and_both_merge_into_the_unsharded_output()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedExecutor.Valid(r));
        var dir = TestPaths.TempDir();
        var trajectories = await Training.TestPlans.SampleTrajectoriesAsync();
        var plans = await Training.TestPlans.WriteAsync(Path.Combine(dir, "plans.jsonl"), trajectories.Select(Training.TestPlans.For));
        string[] Act(string outPath, params string[] more) =>
            ["act", "--input", Samples, "--plans", plans, "--out", outPath, "--base-url", teacher.BaseUrl.ToString(), "--model", "loopback-model", "--ledger", Path.Combine(dir, "ledger.db"), .. more];

        foreach (var cot in new[] { false, true })
        {
            var flags = cot ? new[] { "--cot" } : [];
            var whole = await PlanactCli.RunAsync(Key, Act(Path.Combine(dir, $"whole-{cot}.jsonl"), flags));
            var one = await PlanactCli.RunAsync(Key, Act(Path.Combine(dir, $"one-{cot}.jsonl"), [.. flags, "--shard", "1/2"]));
            var two = await PlanactCli.RunAsync(Key, Act(Path.Combine(dir, $"two-{cot}.jsonl"), [.. flags, "--shard", "2/2"]));
            var merged = await PlanactCli.RunAsync(
                ["merge", "--input", Samples, "--out", Path.Combine(dir, $"merged-{cot}.jsonl"), Path.Combine(dir, $"two-{cot}.jsonl"), Path.Combine(dir, $"one-{cot}.jsonl")]);

            Assert.True(whole.ExitCode == 0, whole.Stderr);
            Assert.True(one.ExitCode == 0, one.Stderr);
            Assert.True(two.ExitCode == 0, two.Stderr);
            Assert.True(merged.ExitCode == 0, merged.Stderr);
            Assert.InRange(File.ReadAllLines(Path.Combine(dir, $"one-{cot}.jsonl")).Length, 1, 114);
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(dir, $"whole-{cot}.jsonl")), await File.ReadAllTextAsync(Path.Combine(dir, $"merged-{cot}.jsonl")));
        }
    }

    [Fact]
    public async Task Shard_is_refused_where_the_work_is_not_split_by_item()
    {
        var dir = TestPaths.TempDir();
        var trajectories = await Training.TestPlans.SampleTrajectoriesAsync();
        var plans = await Training.TestPlans.WriteAsync(Path.Combine(dir, "plans.jsonl"), trajectories.Select(Training.TestPlans.For));

        var result = await PlanactCli.RunAsync(
            "expand", "--plans", plans, "--count", "5", "--out", Path.Combine(dir, "synthetic.jsonl"), "--dry-run", "--shard", "1/2", "--ledger", Path.Combine(dir, "ledger.db"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--shard splits the items of an item stage", result.Stderr, StringComparison.Ordinal);
    }
}
