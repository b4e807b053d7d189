using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Plans.Hindsight;
using PlanAct.Tests.Cli;
using PlanAct.Tests.Training;
using PlanAct.Trajectories;

namespace PlanAct.Tests.Export;

/// <summary>export leaves out planner and replanner examples that name what their model could not know, lists them, and keeps them marked with --allow-hindsight.</summary>
public class HindsightExportTests
{
    private const string Leak = " The category has 7 products.";

    private static async Task<(Trajectory Herbs, List<Trajectory> All)> SamplesAsync()
    {
        var all = await TestPlans.SampleTrajectoriesAsync();
        return (all.Single(t => t.Task.Contains("Herb, Spice", StringComparison.Ordinal)), all);
    }

    private static Plan Planted(Plan plan, string description) => new(plan.Steps.Select((s, i) => i == 0 ? s with { Reasoning = s.Reasoning + Leak, Description = description } : s).ToEquatableList());

    [Fact]
    public async Task A_planner_example_naming_what_only_the_grounding_shows_is_left_out_and_listed_and_kept_marked_when_allowed()
    {
        var (herbs, all) = await SamplesAsync();
        var dir = TestPaths.TempDir();
        var plans = await TestPlans.WriteAsync(Path.Combine(dir, "plans.jsonl"), all.Select(t =>
            t == herbs ? TestPlans.For(t) with { Plan = Planted(TestPlans.For(t).Plan, "Read the 7 products of the category.") } : TestPlans.For(t)));
        var output = Path.Combine(dir, "planner.jsonl");

        var result = await PlanactCli.RunAsync("export", "--input", plans, "--format", "openai-chat", "--out", output);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(16, File.ReadAllLines(output).Length);
        Assert.Contains($"example \"{herbs.Id}/planner\" left out: hindsight_leak: Step 1's reasoning names '7 products', which only the grounding of step 1 (written from the actions) shows; a planner cannot know it.", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("Left out: 1 planner examples", File.ReadAllText(Path.ChangeExtension(output, ".card.md")), StringComparison.Ordinal);

        var kept = await PlanactCli.RunAsync("export", "--input", plans, "--format", "openai-chat", "--out", output, "--allow-hindsight");

        Assert.True(kept.ExitCode == 0, kept.Stderr);
        Assert.Equal(17, File.ReadAllLines(output).Length);
        Assert.Contains($"example \"{herbs.Id}/planner\" kept (--allow-hindsight)", kept.Stderr, StringComparison.Ordinal);
        var card = File.ReadAllText(Path.ChangeExtension(output, ".card.md"));
        Assert.Contains("**Kept with hindsight** (`--allow-hindsight`): 1 planner examples", card, StringComparison.Ordinal);
        Assert.Contains($"* `{herbs.Id}/planner`: Step 1's reasoning names '7 products'", card, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_trajectories_a_grounded_plan_naming_what_only_its_final_answer_shows_is_left_out_though_its_grounding_does_not_show_it()
    {
        var (herbs, all) = await SamplesAsync();
        var dir = TestPaths.TempDir();
        var plans = await TestPlans.WriteAsync(Path.Combine(dir, "plans.jsonl"), all.Select(t =>
            t == herbs ? TestPlans.For(t) with { Plan = Planted(TestPlans.For(t).Plan, "Open the category.") } : TestPlans.For(t)));
        var output = Path.Combine(dir, "planner.jsonl");

        var alone = await PlanactCli.RunAsync("export", "--input", plans, "--format", "openai-chat", "--out", output);
        var against = await PlanactCli.RunAsync("export", "--input", plans, "--format", "openai-chat", "--out", output, "--trajectories", Path.Combine(TestPaths.Samples, "trajectories.jsonl"));

        Assert.True(alone.ExitCode == 0, alone.Stderr);
        Assert.DoesNotContain("hindsight_leak", alone.Stderr, StringComparison.Ordinal);
        Assert.True(against.ExitCode == 0, against.Stderr);
        Assert.Equal(all.Count - 1, File.ReadAllLines(output).Length);
        Assert.Contains($"example \"{herbs.Id}/planner\" left out: hindsight_leak: Step 1's reasoning names '7 products', which ", against.Stderr, StringComparison.Ordinal);
        Assert.Contains($"{all.Count} grounded plans checked against their trajectories", against.Stderr, StringComparison.Ordinal);
        Assert.Contains($"{all.Count} grounded plans were checked against their whole trajectory", File.ReadAllText(Path.ChangeExtension(output, ".card.md")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replanner_example_naming_the_final_answer_is_left_out_and_its_reasoning_is_checked_only_when_exported()
    {
        var (herbs, all) = await SamplesAsync();
        var dir = TestPaths.TempDir();
        var replans = Path.Combine(dir, "replans.jsonl");
        await File.WriteAllLinesAsync(replans, all.Select(t =>
        {
            var record = TestPlans.ReplansFor(t);
            return ReplanJsonl.Format(t != herbs ? record : record with
            {
                Rounds = record.Rounds.Select(r => r.Round == 1 ? r with { Plan = Planted(r.Plan, "d") } : r.Round == 2 ? r with { Reasoning = "The answer lists 7 products." } : r).ToEquatableList(),
            });
        }));
        var output = Path.Combine(dir, "replanner.jsonl");
        var rounds = all.Sum(t => t.Steps.Count - 1);

        var result = await PlanactCli.RunAsync("export", "--input", replans, "--format", "openai-chat", "--out", output);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.True(File.ReadAllLines(output).Length == rounds - 1, result.Stderr);
        Assert.Contains($"example \"{herbs.Id}/replanner/1\" left out: hindsight_leak: Step 1's reasoning names '7 products'", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("a replanner at round 1 cannot know it.", result.Stderr, StringComparison.Ordinal);

        var withReasoning = await PlanactCli.RunAsync("export", "--input", replans, "--format", "openai-chat", "--out", output, "--with-reasoning");

        Assert.True(withReasoning.ExitCode == 0, withReasoning.Stderr);
        Assert.True(File.ReadAllLines(output).Length == rounds - 2, withReasoning.Stderr);
        Assert.Contains($"example \"{herbs.Id}/replanner/2\" left out: {HindsightCheck.Reason}: The thinking names '7 products'", withReasoning.Stderr, StringComparison.Ordinal);
    }
}
