using System.Text.Json;
using PlanAct.Export;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Tests.Cli;
using PlanAct.Tests.Training;
using PlanAct.Training;

namespace PlanAct.Tests.Export;

/// <summary>The planner mix: several record files interleaved by a seed, and a train / validation split that never splits a group.</summary>
public class TrainingMixTests
{
    /// <summary>The samples' plans, and two synthetic plans per trajectory starting from its first page.</summary>
    private static async Task<(string Plans, string Synthetic, int Trajectories)> WritePlansAsync(string dir)
    {
        var trajectories = await TestPlans.SampleTrajectoriesAsync();
        var plans = await TestPlans.WriteAsync(Path.Combine(dir, "plans.jsonl"), trajectories.Select(TestPlans.For));
        var synthetic = await TestPlans.WriteAsync(Path.Combine(dir, "synthetic.jsonl"), trajectories.SelectMany(t => Enumerable.Range(1, 2).Select(n => TestPlans.For(t) with
        {
            Id = $"synthetic-{t.Id}-{n}",
            Task = $"{t.Task} (variant {n})",
            Origin = PlanOrigin.Synthetic,
            InitialHtmlFrom = t.Id,
        })));
        return (plans, synthetic, trajectories.Count);
    }

    private static async Task<List<TrainingExample>> MixAsync(IReadOnlyList<string> paths, int seed) =>
        await TrainingMix.ReadAsync(paths, seed, new ExampleBuilders(new ExamplePageOptions()), new ProblemLog()).ToListAsync();

    [Fact]
    public async Task Several_files_interleave_by_seed_keeping_each_files_order_and_every_example()
    {
        var (plans, synthetic, count) = await WritePlansAsync(TestPaths.TempDir());

        var mixed = await MixAsync([plans, synthetic], 42);

        Assert.Equal(3 * count, mixed.Count);
        Assert.Equal(mixed.Select(e => e.Id), (await MixAsync([plans, synthetic], 42)).Select(e => e.Id));
        Assert.NotEqual(mixed.Select(e => e.Id), (await MixAsync([plans, synthetic], 7)).Select(e => e.Id));
        Assert.Equal((await MixAsync([plans], 0)).Select(e => e.Id), mixed.Where(e => !e.Id.StartsWith("synthetic-", StringComparison.Ordinal)).Select(e => e.Id));
        Assert.Equal((await MixAsync([synthetic], 0)).Select(e => e.Id), mixed.Where(e => e.Id.StartsWith("synthetic-", StringComparison.Ordinal)).Select(e => e.Id));
        // Spread through the stream, not one file after the other: both halves hold examples of both files.
        foreach (var half in new[] { mixed.Take(mixed.Count / 2), mixed.Skip(mixed.Count / 2) })
        {
            Assert.Contains(half, e => e.Id.StartsWith("synthetic-", StringComparison.Ordinal));
            Assert.Contains(half, e => !e.Id.StartsWith("synthetic-", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task The_split_keeps_a_trajectory_with_the_generated_plans_of_its_first_page_and_depends_only_on_group_and_seed()
    {
        var (plans, synthetic, _) = await WritePlansAsync(TestPaths.TempDir());
        var examples = await MixAsync([plans, synthetic], 1);
        var split = new ExampleSplit(0.4, Seed: 3);

        var sides = examples.GroupBy(ExampleSplit.GroupOf).ToDictionary(g => g.Key, g => g.Select(split.SplitOf).Distinct().ToList());

        Assert.All(sides.Values, s => Assert.Single(s));
        Assert.Equal(examples.Count(e => e.Source.Trajectory is not null), sides.Count);
        Assert.Contains(sides.Values, s => s[0] == ExampleSplit.ValidationSplit);
        Assert.Contains(sides.Values, s => s[0] == ExampleSplit.Train);
        Assert.All(examples, e => Assert.Equal(split.SplitOf(e), (split with { }).SplitOf(e with { Id = "other" })));
        Assert.NotEqual(examples.Select(split.SplitOf), examples.Select(new ExampleSplit(0.4, Seed: 4).SplitOf));
        Assert.All(examples, e => Assert.Equal(ExampleSplit.Train, ExampleSplit.None.SplitOf(e)));
    }

    [Fact]
    public async Task Export_mixes_inputs_into_a_train_file_and_a_validation_file_beside_it_the_same_on_every_run()
    {
        var dir = TestPaths.TempDir();
        var (plans, synthetic, count) = await WritePlansAsync(dir);
        var output = Path.Combine(dir, "out", "planner.jsonl");
        string[] args = ["export", "--input", plans, "--input", synthetic, "--format", "openai-chat", "--validation", "0.3", "--seed", "5", "--out", output];

        var first = await PlanactCli.RunAsync(args);
        var train = await File.ReadAllTextAsync(output);
        var validation = await File.ReadAllTextAsync(Path.Combine(dir, "out", "planner.validation.jsonl"));
        var again = await PlanactCli.RunAsync(args);

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Equal(train, await File.ReadAllTextAsync(output));
        Assert.Equal(validation, await File.ReadAllTextAsync(Path.Combine(dir, "out", "planner.validation.jsonl")));
        var trainTasks = Tasks(train);
        var validationTasks = Tasks(validation);
        Assert.Equal(3 * count, trainTasks.Count + validationTasks.Count);
        Assert.NotEmpty(validationTasks);
        // A trajectory's task and its variants' tasks are on one side only.
        foreach (var trajectory in await TestPlans.SampleTrajectoriesAsync())
        {
            Assert.False(
                trainTasks.Any(t => t.Contains(trajectory.Task, StringComparison.Ordinal)) && validationTasks.Any(t => t.Contains(trajectory.Task, StringComparison.Ordinal)),
                $"{trajectory.Id} is on both sides");
        }

        Assert.Contains($"{validationTasks.Count} validation", first.Stderr, StringComparison.Ordinal);
        var card = await File.ReadAllTextAsync(Path.Combine(dir, "out", "planner.card.md"));
        Assert.Contains($"Of them, {validationTasks.Count} are the validation split in `planner.validation.jsonl`", card, StringComparison.Ordinal);
        Assert.Contains("* inputs, interleaved:", card, StringComparison.Ordinal);
    }

    private static List<string> Tasks(string jsonl) => [.. jsonl.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
    {
        using var json = JsonDocument.Parse(line);
        var user = json.RootElement.GetProperty("messages").EnumerateArray().First(m => m.GetProperty("role").GetString() == "user").GetProperty("content").GetString()!;
        return user;
    })];
}
