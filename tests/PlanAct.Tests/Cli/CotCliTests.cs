using System.Globalization;
using System.Text.Json;
using PlanAct.Loopback;
using PlanAct.Teacher.Ledger;

namespace PlanAct.Tests.Cli;

/// <summary>The CoT path end to end as child processes: annotate --mode cot, act --cot, export --with-reasoning.</summary>
public class CotCliTests
{
    private static readonly string Samples = Path.Combine("samples", "trajectories.jsonl");

    private static IReadOnlyDictionary<string, string> Key => new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-test-SECRET-9" };

    [Fact]
    public async Task Cot_plans_and_cot_executor_examples_export_with_their_reasoning()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedExecutor.IsExecutorRequest(r) ? ScriptedExecutor.Valid(r) : ScriptedPlans.ValidCot(r));
        var dir = TestPaths.TempDir();
        string[] Teacher(params string[] args) => [.. args, "--base-url", teacher.BaseUrl.ToString(), "--model", "loopback-model", "--ledger", Path.Combine(dir, "ledger.db")];
        var plans = Path.Combine(dir, "plans.jsonl");
        var executor = Path.Combine(dir, "executor.jsonl");

        var annotate = await PlanactCli.RunAsync(Key, Teacher("annotate", "--input", Samples, "--out", plans, "--mode", "cot"));
        var act = await PlanactCli.RunAsync(Key, Teacher("act", "--input", Samples, "--plans", plans, "--out", executor, "--cot"));
        var prices = Path.Combine(dir, "prices.yaml");
        await File.WriteAllTextAsync(prices, "prices:\n  models:\n    loopback-model: { input: 1.0, output: 2.0 }\n");
        var exportExecutor = await PlanactCli.RunAsync(
            "export", "--input", executor, "--format", "openai-chat", "--out", Path.Combine(dir, "executor.openai.jsonl"), "--with-reasoning",
            "--ledger", Path.Combine(dir, "ledger.db"), "--config", prices);
        var exportPlanner = await PlanactCli.RunAsync("export", "--input", plans, "--format", "openai-chat", "--out", Path.Combine(dir, "planner.openai.jsonl"), "--with-reasoning", "--card", Path.Combine(dir, "planner.md"));

        Assert.True(annotate.ExitCode == 0, annotate.Stderr);
        Assert.Contains("annotate: 17 ok", annotate.Stderr, StringComparison.Ordinal);
        Assert.True(act.ExitCode == 0, act.Stderr);
        Assert.Contains("act: 115 ok (0 from an earlier run), 0 quarantined, 0 skipped", act.Stderr, StringComparison.Ordinal);
        Assert.True(exportExecutor.ExitCode == 0, exportExecutor.Stderr);
        Assert.True(exportPlanner.ExitCode == 0, exportPlanner.Stderr);
        foreach (var line in await File.ReadAllLinesAsync(Path.Combine(dir, "executor.openai.jsonl")))
        {
            using var json = JsonDocument.Parse(line);
            var target = json.RootElement.GetProperty("messages").EnumerateArray().Last();
            Assert.Equal("assistant", target.GetProperty("role").GetString());
            Assert.StartsWith($"<think>\n{ScriptedExecutor.Reasoning}\n</think>\n\n", target.GetProperty("content").GetString(), StringComparison.Ordinal);
        }

        // The card prices exactly the act requests from the ledger's token counts.
        await using (var ledger = await TeacherLedger.OpenAsync(Path.Combine(dir, "ledger.db")))
        {
            var totals = (await ledger.TotalsAsync()).Single(t => t.Stage == "act");
            var dollars = ((totals.InputTokens * 1.0m) + (totals.OutputTokens * 2.0m)) / 1_000_000m;
            var card = await File.ReadAllTextAsync(Path.Combine(dir, "executor.openai.card.md"));
            Assert.Contains(
                string.Create(CultureInfo.InvariantCulture, $"${dollars:0.0000} for the 115 teacher requests behind these records ({totals.InputTokens:N0} input + {totals.OutputTokens:N0} output tokens; 0 answered"),
                card,
                StringComparison.Ordinal);
        }

        foreach (var line in await File.ReadAllLinesAsync(Path.Combine(dir, "planner.openai.jsonl")))
        {
            using var json = JsonDocument.Parse(line);
            var target = json.RootElement.GetProperty("messages").EnumerateArray().Last().GetProperty("content").GetString()!;
            Assert.StartsWith("<think>\nThe task names what to find", target, StringComparison.Ordinal);
            Assert.Contains("Reasoning: Seen from the first page, this step comes next.", target, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Act_cot_estimates_without_a_teacher_and_plain_act_refuses_teacher_modes()
    {
        var dir = TestPaths.TempDir();
        var trajectories = await Training.TestPlans.SampleTrajectoriesAsync();
        var plans = await Training.TestPlans.WriteAsync(Path.Combine(dir, "plans.jsonl"), trajectories.Select(Training.TestPlans.For));
        var output = Path.Combine(dir, "executor.jsonl");

        var estimate = await PlanactCli.RunAsync("act", "--input", Samples, "--plans", plans, "--out", output, "--cot", "--dry-run", "--model", "gpt-4o-mini", "--ledger", Path.Combine(dir, "ledger.db"));
        var refused = await PlanactCli.RunAsync("act", "--input", Samples, "--plans", plans, "--out", output, "--dry-run", "--ledger", Path.Combine(dir, "ledger.db"));

        Assert.True(estimate.ExitCode == 0, estimate.Stderr);
        Assert.Contains("115 requests", estimate.Stdout + estimate.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--dry-run and --batch need --cot", refused.Stderr, StringComparison.Ordinal);
    }
}
