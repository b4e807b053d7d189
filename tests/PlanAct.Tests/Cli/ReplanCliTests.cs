using System.Text.Json;
using PlanAct.Actions;
using PlanAct.IO;
using PlanAct.Loopback;
using PlanAct.Plans;
using PlanAct.Tests.Training;
using PlanAct.Training;

namespace PlanAct.Tests.Cli;

/// <summary>`planact replan`, `dynamic-act` and `export` of their records as real child processes against the loopback teacher.</summary>
public class ReplanCliTests
{
    private static readonly string Samples = Path.Combine("samples", "trajectories.jsonl");

    private static IReadOnlyDictionary<string, string> Key => new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-test-SECRET-9" };

    private static string[] Teacher(LoopbackTeacher teacher, string dir) =>
        ["--base-url", teacher.BaseUrl.ToString(), "--model", "loopback-model", "--ledger", Path.Combine(dir, "ledger.db")];

    private static async Task<string> AnnotateAsync(LoopbackTeacher teacher, string dir)
    {
        var plans = Path.Combine(dir, "plans.jsonl");
        var result = await PlanactCli.RunAsync(Key, ["annotate", "--input", Samples, "--out", plans, .. Teacher(teacher, dir)]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        return plans;
    }

    [Fact]
    public async Task Annotate_replan_dynamic_act_and_export_make_every_record_and_a_rerun_sends_nothing()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedExecutor.IsExecutorRequest(r) ? ScriptedExecutor.Valid(r) : ScriptedReplans.ValidForEither(r));
        var dir = TestPaths.TempDir();
        var plans = await AnnotateAsync(teacher, dir);
        var replans = Path.Combine(dir, "replans.jsonl");
        var trajectories = await TestPlans.SampleTrajectoriesAsync();
        var rounds = trajectories.Sum(t => t.Steps.Count - 1);

        var first = await PlanactCli.RunAsync(Key, ["replan", "--input", Samples, "--plans", plans, "--out", replans, .. Teacher(teacher, dir)]);
        var calls = teacher.Calls;
        var again = await PlanactCli.RunAsync(Key, ["replan", "--input", Samples, "--plans", plans, "--out", replans, .. Teacher(teacher, dir)]);

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains("replan: 17 ok (0 from an earlier run), 0 quarantined, 0 skipped", first.Stderr, StringComparison.Ordinal);
        Assert.Contains($"{rounds} sent", first.Stderr, StringComparison.Ordinal);
        Assert.Equal(17 + rounds, calls);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("17 ok (17 from an earlier run)", again.Stderr, StringComparison.Ordinal);
        Assert.Equal(calls, teacher.Calls);
        Assert.DoesNotContain("SECRET", first.Stderr + first.Stdout, StringComparison.Ordinal);
        var records = await ReplanJsonl.ReadLocatedAsync(replans, new ProblemLog()).Select(r => r.Record).ToListAsync();
        Assert.Equal(trajectories.Select(t => (t.Id, t.Steps.Count - 1)), records.Select(r => (r.Id, r.Rounds.Count)));

        // Dynamic executor data: one example per step, the ground-truth action as target, the latest plan in context.
        var executor = Path.Combine(dir, "dynamic-executor.jsonl");
        var act = await PlanactCli.RunAsync("dynamic-act", "--input", "samples/webarena-lite-sft.json", "--replans", replans, "--out", executor);
        Assert.True(act.ExitCode == 0, act.Stderr);
        Assert.Contains("115 examples from 17 trajectories ok, 0 trajectories skipped without replans, 0 replan records without a trajectory, 0 skipped as invalid", act.Stderr, StringComparison.Ordinal);
        var examples = await ExampleJsonl.ReadAsync(executor, new ProblemLog()).ToListAsync();
        foreach (var (trajectory, record) in trajectories.Zip(records))
        {
            foreach (var step in trajectory.Steps)
            {
                var example = Assert.Single(examples, e => e.Id == $"{trajectory.Id}/dynamic-executor/{step.Index}");
                Assert.Equal(ActionPrinter.Print(step.Action), example.Target.Content);
                Assert.EndsWith(PlanText.Format(record.PlanBefore(step.Index), PlanTextStyle.Target).TrimEnd(), example.Messages[0].Content, StringComparison.Ordinal);
            }
        }

        // With --cot the same examples carry the teacher's reasoning for each known action.
        var cotExecutor = Path.Combine(dir, "dynamic-executor.cot.jsonl");
        var cot = await PlanactCli.RunAsync(Key, ["dynamic-act", "--input", Samples, "--replans", replans, "--out", cotExecutor, "--cot", .. Teacher(teacher, dir)]);
        Assert.True(cot.ExitCode == 0, cot.Stderr);
        Assert.Contains("dynamic-act: 115 ok (0 from an earlier run), 0 quarantined, 0 skipped", cot.Stderr, StringComparison.Ordinal);
        var reasoned = await ExampleJsonl.ReadAsync(cotExecutor, new ProblemLog()).ToListAsync();
        Assert.Equal(examples, reasoned.Select(e => e with { Reasoning = null, Teacher = null, Requests = null }));
        Assert.All(reasoned, e => Assert.Equal(ScriptedExecutor.Reasoning, e.Reasoning));

        // Export: replan records become replanner examples, and both kinds go to every format.
        foreach (var format in new[] { "openai-chat", "sharegpt", "alpaca", "torchtune" })
        {
            var replanner = Path.Combine(dir, format, "replanner.jsonl");
            var fromReplans = await PlanactCli.RunAsync("export", "--input", replans, "--format", format, "--out", replanner, "--with-reasoning");
            Assert.True(fromReplans.ExitCode == 0, fromReplans.Stderr);
            Assert.Contains($"export: {rounds} examples ok ({format})", fromReplans.Stderr, StringComparison.Ordinal);
            Assert.Equal(rounds, File.ReadAllLines(replanner).Length);
            Assert.Contains($"| replanner | {rounds} |", await File.ReadAllTextAsync(Path.Combine(dir, format, "replanner.card.md")), StringComparison.Ordinal);

            var dynamic = Path.Combine(dir, format, "executor", "dynamic.jsonl");
            var fromExamples = await PlanactCli.RunAsync("export", "--input", executor, "--format", format, "--out", dynamic);
            Assert.True(fromExamples.ExitCode == 0, fromExamples.Stderr);
            Assert.Equal(115, File.ReadAllLines(dynamic).Length);
        }

        using var line = JsonDocument.Parse(File.ReadLines(Path.Combine(dir, "openai-chat", "replanner.jsonl")).First());
        var messages = line.RootElement.GetProperty("messages");
        Assert.Equal(5, messages.GetArrayLength());
        Assert.StartsWith("## Step 1\nReasoning: The current page shows where things stand after 1 actions.", messages[4].GetProperty("content").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_trajectory_whose_round_is_never_grounded_right_is_quarantined_and_the_run_exits_4()
    {
        var trajectories = await TestPlans.SampleTrajectoriesAsync();
        var victim = trajectories.Last(t => trajectories.Count(u => u.Task == t.Task) == 1);
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) =>
            ScriptedReplans.IsReplan(r) && ScriptedReplans.Round(r) == 2 && r.LastUserMessage.Contains(victim.Task, StringComparison.Ordinal) || ScriptedReplans.IsReask(r)
                ? new LoopbackReply.Answer(ScriptedReplans.WrongRange(ScriptedReplans.Remaining(r).Last))
                : ScriptedReplans.ValidForEither(r));
        var dir = TestPaths.TempDir();
        var plans = await AnnotateAsync(teacher, dir);
        var replans = Path.Combine(dir, "replans.jsonl");

        var result = await PlanactCli.RunAsync(Key, ["replan", "--input", Samples, "--plans", plans, "--out", replans, .. Teacher(teacher, dir)]);

        Assert.True(result.ExitCode == 4, result.Stderr);
        Assert.Contains("replan: 16 ok (0 from an earlier run), 1 quarantined", result.Stderr, StringComparison.Ordinal);
        var quarantined = Assert.Single(await File.ReadAllLinesAsync(Path.Combine(dir, "replans.quarantine.jsonl")));
        using var doc = JsonDocument.Parse(quarantined);
        Assert.Equal(victim.Id, doc.RootElement.GetProperty("id").GetString());
        Assert.StartsWith("round 2: Step 1 lists action 0", doc.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(16, File.ReadAllLines(replans).Length);

        var act = await PlanactCli.RunAsync("dynamic-act", "--input", Samples, "--replans", replans, "--out", Path.Combine(dir, "executor.jsonl"));
        Assert.True(act.ExitCode == 0, act.Stderr);
        Assert.Contains($"trajectory \"{victim.Id}\" has no replan record; skipped", act.Stderr, StringComparison.Ordinal);
        Assert.Contains("1 trajectories skipped without replans", act.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replan_and_dynamic_act_report_bad_input_and_usage()
    {
        var dir = TestPaths.TempDir();
        var noPlans = await PlanactCli.RunAsync("replan", "--input", Samples, "--plans", Path.Combine(dir, "missing.jsonl"), "--out", Path.Combine(dir, "r.jsonl"), "--ledger", Path.Combine(dir, "ledger.db"), "--dry-run");
        Assert.Equal(3, noPlans.ExitCode);
        Assert.Contains("missing.jsonl: no such file", noPlans.Stderr, StringComparison.Ordinal);

        var replans = Path.Combine(dir, "replans.jsonl");
        await File.WriteAllTextAsync(replans, "{\"schema\":\"planact/replan@1\",\"id\":\"x\"\n");
        var bad = await PlanactCli.RunAsync("dynamic-act", "--input", Samples, "--replans", replans, "--out", Path.Combine(dir, "e.jsonl"));
        Assert.Equal(3, bad.ExitCode);
        Assert.Contains($"{replans}:1: malformed JSON", bad.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, "e.jsonl")));

        var usage = await PlanactCli.RunAsync("dynamic-act", "--input", Samples);
        Assert.Equal(2, usage.ExitCode);
    }

    [Fact]
    public async Task A_dry_run_prices_the_first_round_of_every_trajectory_without_a_teacher()
    {
        var dir = TestPaths.TempDir();
        var trajectories = await TestPlans.SampleTrajectoriesAsync();
        var plans = await TestPlans.WriteAsync(Path.Combine(dir, "plans.jsonl"), trajectories.Select(TestPlans.For));

        var result = await PlanactCli.RunAsync("replan", "--input", Samples, "--plans", plans, "--out", Path.Combine(dir, "r.jsonl"), "--ledger", Path.Combine(dir, "ledger.db"), "--dry-run", "--cot");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("17 requests to send", result.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, "r.jsonl")));
    }
}
