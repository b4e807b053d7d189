using System.Text.Json;
using PlanAct.Actions;
using PlanAct.Loopback;
using PlanAct.Trajectories;

namespace PlanAct.Tests.Cli;

/// <summary>The whole pipeline on trajectories that are not WebRL ones: an ADP file with BrowserGym actions and accessibility trees.</summary>
public class ForeignPipelineCliTests
{
    private static IReadOnlyDictionary<string, string> Key => new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-test-SECRET-9" };

    [Fact]
    public async Task Run_on_an_adp_file_makes_plans_executor_data_in_browsergym_grammar_replans_and_exports()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedReplans.ValidForEither(r));
        var dir = TestPaths.TempDir();
        var run = Path.Combine(dir, "run");
        var adp = TestPaths.RealFixture("adp_go-browse-wa_sample_std.json");
        var pipeline = Path.Combine(dir, "adp.yaml");
        await File.WriteAllTextAsync(
            pipeline,
            $"inputs:\n  trajectories: {adp}\nstages:\n  annotate: {{}}\n  act:\n    options: {{ reasoning: source }}\n  replan: {{}}\n  dynamic-act: {{}}\n  export: {{}}\n");

        var result = await PlanactCli.RunAsync(Key, ["run", pipeline, "--run-dir", run, "--ledger", Path.Combine(dir, "ledger.db"), "--base-url", teacher.BaseUrl.ToString(), "--model", "loopback-model"]);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var trajectories = await TrajectoryFiles.ReadAsync(adp, new TrajectoryReadOptions()).ToListAsync();
        var steps = trajectories.SelectMany(t => t.Steps.Select(s => (t.Id, s))).ToDictionary(x => $"{x.Id}/{x.s.Index}", x => x.s);
        Assert.Equal(5, File.ReadAllLines(Path.Combine(run, "plans.jsonl")).Length);

        foreach (var file in new[] { "executor.jsonl", "dynamic-executor.jsonl" })
        {
            var lines = File.ReadAllLines(Path.Combine(run, file));
            Assert.Equal(28, lines.Length);
            foreach (var line in lines)
            {
                using var record = JsonDocument.Parse(line);
                var source = record.RootElement.GetProperty("source");
                var step = steps[$"{source.GetProperty("trajectory").GetString()}/{source.GetProperty("step").GetInt32()}"];
                var messages = record.RootElement.GetProperty("messages");
                var target = messages[messages.GetArrayLength() - 1].GetProperty("content").GetString()!;

                // The target is the source action, in the source grammar, and reads back as that action.
                Assert.Equal(ActionPrinter.Print(step.Action), target);
                Assert.Equal(step.Action, ActionParser.Parse(target, ActionGrammar.BrowserGym));

                // The executor is told the BrowserGym actions and sees the accessibility tree with its bids.
                var system = messages[0].GetProperty("content").GetString()!;
                Assert.Contains("fill(bid, value)", system, StringComparison.Ordinal);
                Assert.DoesNotContain("do(action=", system, StringComparison.Ordinal);
                Assert.Contains("[44] banner", messages[messages.GetArrayLength() - 2].GetProperty("content").GetString()!, StringComparison.Ordinal);
                if (file == "executor.jsonl")
                {
                    Assert.Equal(step.Reasoning, record.RootElement.GetProperty("reasoning").GetString());
                }
            }
        }

        Assert.Equal(5, File.ReadAllLines(Path.Combine(run, "replans.jsonl")).Length);
        Assert.Contains("\"grammar\":\"browsergym\"", File.ReadAllText(Path.Combine(run, "replans.jsonl")), StringComparison.Ordinal);
        foreach (var kind in new[] { "planner", "executor", "replanner", "dynamic-executor" })
        {
            Assert.NotEmpty(File.ReadAllLines(Path.Combine(run, "export", $"{kind}.openai-chat.jsonl")));
        }

        // The teacher was shown the trajectory's own actions and told their grammar.
        var annotate = teacher.Received.Where(r => r.Body["messages"] is not null).Select(r => r.Body["messages"]!.AsArray()[1]!["content"]!.ToString()).First(p => p.Contains("## Actions taken", StringComparison.Ordinal));
        Assert.Contains("0: click('149')", annotate, StringComparison.Ordinal);
        Assert.Contains("BrowserGym", annotate, StringComparison.Ordinal);
    }
}
