using System.Text.Json;
using System.Text.Json.Nodes;
using PlanAct.Actions;
using PlanAct.Plans;
using PlanAct.Tests.Training;
using PlanAct.Training;

namespace PlanAct.Tests.Cli;

/// <summary>The profile contract on the real process: export under a profile, then prompt and parse as an agent would.</summary>
public class ProfileCliTests
{
    [Fact]
    public async Task Export_under_plan_and_act_refuses_examples_without_reasoning_and_says_which_command_makes_them()
    {
        var dir = TestPaths.TempDir();
        var trajectories = await TestPlans.SampleTrajectoriesAsync();
        var plans = await TestPlans.WriteAsync(Path.Combine(dir, "plans.jsonl"), trajectories.Take(2).Select(TestPlans.For));
        var executor = Path.Combine(dir, "executor.jsonl");
        var act = await PlanactCli.RunAsync("act", "--input", "samples/trajectories.jsonl", "--plans", plans, "--out", executor);
        Assert.True(act.ExitCode == 0, act.Stderr);

        var output = Path.Combine(dir, "out", "executor.jsonl");
        var export = await PlanactCli.RunAsync("export", "--input", executor, "--format", "openai-chat", "--profile", "plan-and-act", "--out", output);
        Assert.Equal(4, export.ExitCode);
        var steps = trajectories.Take(2).Sum(t => t.Steps.Count);
        Assert.Contains($"example \"{trajectories[0].Id}/executor/0\" left out: no reasoning, which the plan-and-act profile shows in the answer; make the records with `planact act --cot`", export.Stderr, StringComparison.Ordinal);
        Assert.Contains($"0 examples ok (openai-chat)", export.Stderr, StringComparison.Ordinal);
        Assert.Contains($"profile plan-and-act, {steps} records it cannot be made from left out", export.Stderr, StringComparison.Ordinal);
        Assert.Contains("Prompt profile: **plan-and-act** (built in)", await File.ReadAllTextAsync(Path.Combine(dir, "out", "executor.card.md")), StringComparison.Ordinal);

        var planner = await PlanactCli.RunAsync("export", "--input", plans, "--format", "sharegpt", "--profile", "plan-and-act", "--out", Path.Combine(dir, "planner.json"));
        Assert.Equal(4, planner.ExitCode);
        Assert.Contains("make the records with `planact annotate --mode cot`", planner.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_exported_plan_and_act_example_is_what_planact_prompt_builds_from_its_state_and_its_target_parses()
    {
        var dir = TestPaths.TempDir();
        var trajectory = (await TestPlans.SampleTrajectoriesAsync())[0];
        var plan = TestPlans.For(trajectory);
        var builder = new ExecutorExamples(new ExamplePageOptions());
        var records = builder.Build(new PlannedTrajectory(trajectory, plan.Id, plan.Plan)).Select(e => e with { Reasoning = $"Why step {e.Source.Step}." }).ToList();
        var input = Path.Combine(dir, "executor.cot.jsonl");
        await ExampleJsonl.WriteAsync(input, records.ToAsyncEnumerable());

        var output = Path.Combine(dir, "executor.pa.jsonl");
        var export = await PlanactCli.RunAsync("export", "--input", input, "--format", "openai-chat", "--profile", "plan-and-act", "--out", output);
        Assert.True(export.ExitCode == 0, export.Stderr);
        var lines = await File.ReadAllLinesAsync(output);
        Assert.Equal(trajectory.Steps.Count, lines.Length);

        var step = 2;
        var state = new JsonObject
        {
            ["task"] = trajectory.Task,
            ["plan"] = PlanText.Format(plan.Plan, PlanTextStyle.Target).TrimEnd(),
            ["rounds"] = new JsonArray([.. trajectory.Steps.Take(step).Select(s => (JsonNode)new JsonObject
            {
                ["page"] = s.Html,
                ["action"] = ActionPrinter.Print(s.Action),
                ["reasoning"] = $"Why step {s.Index}.",
            })]),
            ["page"] = trajectory.Steps[step].Html,
            ["element"] = trajectory.Steps[step].Action.Element,
        };
        var statePath = Path.Combine(dir, "state.json");
        await File.WriteAllTextAsync(statePath, state.ToJsonString());
        var prompt = await PlanactCli.RunAsync("prompt", "executor", "--profile", "plan-and-act", "--state", statePath);
        Assert.True(prompt.ExitCode == 0, prompt.Stderr);

        var exported = JsonNode.Parse(lines[step])!["messages"]!.AsArray();
        var built = JsonNode.Parse(prompt.Stdout)!["messages"]!.AsArray();
        Assert.Equal(exported.Count - 1, built.Count);
        // The export's training weights ("weight": 0 on earlier assistant turns) are not part of the prompt.
        var exportedPrompt = new JsonArray([.. exported.Take(exported.Count - 1).Select(m => (JsonNode)new JsonObject { ["role"] = m!["role"]!.DeepClone(), ["content"] = m["content"]!.DeepClone() })]);
        Assert.True(JsonNode.DeepEquals(exportedPrompt, built), "the prompt differs from the exported example");

        var parse = await PlanactCli.RunWithInputAsync(exported[^1]!["content"]!.GetValue<string>(), "parse", "action", "--profile", "plan-and-act");
        Assert.True(parse.ExitCode == 0, parse.Stderr);
        var parsed = JsonNode.Parse(parse.Stdout)!;
        Assert.Equal($"Why step {step}.", parsed["reasoning"]!.GetValue<string>());
        Assert.Equal(ActionPrinter.Print(trajectory.Steps[step].Action), parsed["action"]!.GetValue<string>());
    }

    [Fact]
    public async Task Prompt_and_parse_work_on_the_bundled_agent_states_and_say_what_is_wrong()
    {
        foreach (var role in new[] { "planner", "executor", "replanner", "dynamic-executor" })
        {
            foreach (var profile in new[] { "planact", "plan-and-act" })
            {
                var result = await PlanactCli.RunAsync("prompt", role, "--profile", profile, "--state", Path.Combine("samples", "agent-states", $"{role}.json"));
                Assert.True(result.ExitCode == 0, $"{role} {profile}: {result.Stderr}");
                var messages = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("messages");
                Assert.Equal("user", messages[messages.GetArrayLength() - 1].GetProperty("role").GetString());
            }
        }

        var completion = await File.ReadAllTextAsync(Path.Combine(TestPaths.Samples, "agent-states", "executor.completion.txt"));
        var parsed = await PlanactCli.RunWithInputAsync(completion, "parse", "action", "--profile", "plan-and-act");
        Assert.True(parsed.ExitCode == 0, parsed.Stderr);
        Assert.Contains("do(action=\\\"Select Dropdown Option\\\", argument=\\\"Price\\\", element=\\\"33\\\")", parsed.Stdout, StringComparison.Ordinal);

        var untagged = await PlanactCli.RunWithInputAsync("I would click.\n</think>\ndo(action=\"Click\", element=\"3\")", "parse", "action", "--profile", "plan-and-act");
        Assert.Equal(3, untagged.ExitCode);
        Assert.Contains("the answer has no [Start of Action] tag", untagged.Stderr, StringComparison.Ordinal);

        var badState = await PlanactCli.RunWithInputAsync("{\"task\": \"t\", \"page\": \"<p>x</p>\", \"rounds\": []}", "prompt", "executor");
        Assert.Equal(3, badState.ExitCode);
        Assert.Contains("the state needs \"plan\"", badState.Stderr, StringComparison.Ordinal);
    }
}
