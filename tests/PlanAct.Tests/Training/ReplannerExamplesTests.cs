using System.Text.Json;
using PlanAct.Actions;
using PlanAct.Html;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Stages.Act;
using PlanAct.Text;
using PlanAct.Training;
using PlanAct.Trajectories;

namespace PlanAct.Tests.Training;

public class ReplannerExamplesTests
{
    private static string Target(Plan plan) => PlanText.Format(plan, PlanTextStyle.Target).TrimEnd();

    [Fact]
    public async Task One_replanner_example_per_round_with_earlier_rounds_compressed_and_the_new_plan_as_target()
    {
        var builder = new ReplannerExamples(new ExamplePageOptions());
        foreach (var trajectory in await TestPlans.SampleTrajectoriesAsync())
        {
            var record = TestPlans.ReplansFor(trajectory);
            var examples = builder.Build(record).ToList();

            Assert.Equal(trajectory.Steps.Count - 1, examples.Count);
            foreach (var (example, round) in examples.Zip(record.Rounds))
            {
                var r = round.Round;
                Assert.Empty(ExampleValidator.Validate(example));
                Assert.Equal($"{trajectory.Id}/replanner/{r}", example.Id);
                Assert.Equal((ExampleKind.Replanner, trajectory.Site, trajectory.Task), (example.Kind, example.Site, example.Task));
                Assert.Equal(new ExampleSource(trajectory.Id, r, trajectory.Id), example.Source);
                Assert.Equal((round.Reasoning, "gpt-4.1", round.Requests), (example.Reasoning, example.Teacher, example.Requests));
                Assert.Equal(3 + (2 * r), example.Messages.Count);
                Assert.EndsWith($"Task: {trajectory.Task}", example.Messages[0].Content, StringComparison.Ordinal);

                // Earlier rounds: the action since the round before and the placeholder, answered by the plan written then.
                Assert.StartsWith(ReplannerExamples.NothingTaken, example.Messages[1].Content, StringComparison.Ordinal);
                Assert.Equal(Target(record.InitialPlan), example.Messages[2].Content);
                for (var k = 0; k < r; k++)
                {
                    Assert.EndsWith(SftPrompt.HtmlPlaceholder, example.Messages[1 + (2 * k)].Content, StringComparison.Ordinal);
                    Assert.Equal(Target(record.PlanBefore(k)), example.Messages[2 + (2 * k)].Content);
                    if (k > 0)
                    {
                        Assert.Contains($"{k - 1}: {ActionPrinter.PrintCall(trajectory.Steps[k - 1].Action)}", example.Messages[1 + (2 * k)].Content, StringComparison.Ordinal);
                    }
                }

                // The last turn: the action just taken and the planner view of the current page; target without grounding.
                var last = example.Messages[^2].Content;
                Assert.StartsWith($"Action taken:\n{r - 1}: {ActionPrinter.PrintCall(trajectory.Steps[r - 1].Action)}", last, StringComparison.Ordinal);
                Assert.EndsWith(PageBudget.Fit(PageView.Render(trajectory.Steps[r].Html, PageView.Planner), ExamplePageOptions.DefaultMaxPageTokens, TokenCounter.O200k).Shown, last, StringComparison.Ordinal);
                Assert.Equal(Target(round.Plan), example.Target.Content);
                Assert.DoesNotContain("Actions:", example.Target.Content, StringComparison.Ordinal);
                Assert.DoesNotContain("Description:", example.Target.Content, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task Replan_records_round_trip_through_jsonl()
    {
        foreach (var trajectory in await TestPlans.SampleTrajectoriesAsync())
        {
            var record = TestPlans.ReplansFor(trajectory);
            var problems = new ProblemLog();

            var parsed = ReplanJsonl.Parse(ReplanJsonl.Format(record), new SourceLocation("r.jsonl", 1), problems);

            Assert.Equal(record, parsed);
            Assert.Empty(problems.Problems);
        }
    }

    public static TheoryData<string, string, string> BadLines() => new()
    {
        { "\"schema\":\"planact/replan@2\"", "\"schema\":\"planact/replan@9\"", "unsupported schema \"planact/replan@9\"" },
        { "\"rounds\":[{\"round\":1,", "\"rounds\":[{\"round\":2,", "round 1 is numbered 2." },
        { "\"id\":", "\"id\":", "duplicate id" },
        { "\"actions\":[\"", "\"actions\":[\"nonsense(", "action 0: " },
        { "\"actions\":[2]}]", "\"actions\":[2,3]}]", "round 2: Step 1 lists action 3, but the actions to cover are 2..2." },
        { ",\"html\":\"", ",\"htm\":\"", "round 1 has no \"html\"" },
    };

    [Theory]
    [MemberData(nameof(BadLines))]
    public async Task A_broken_replan_line_is_reported_at_its_line(string find, string replace, string reason)
    {
        var trajectory = (await TestPlans.SampleTrajectoriesAsync()).First(t => t.Steps.Count == 3);
        var line = ReplanJsonl.Format(TestPlans.ReplansFor(trajectory));
        Assert.Contains(find, line, StringComparison.Ordinal);
        var path = Path.Combine(TestPaths.TempDir(), "replans.jsonl");
        await File.WriteAllLinesAsync(path, [line, line.Replace(find, replace, StringComparison.Ordinal)]);
        var problems = new ProblemLog(skipInvalid: true);

        var records = await ReplanJsonl.ReadLocatedAsync(path, problems).ToListAsync();

        Assert.Single(records);
        var problem = Assert.Single(problems.Problems);
        Assert.Equal(2, problem.Location.Line);
        Assert.Contains(reason, problem.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dynamic_executor_examples_carry_the_latest_plan_and_the_ground_truth_action()
    {
        var builder = new ExecutorExamples(new ExamplePageOptions());
        foreach (var trajectory in await TestPlans.SampleTrajectoriesAsync())
        {
            var replans = TestPlans.ReplansFor(trajectory);
            var examples = builder.BuildDynamic(trajectory, replans.WithoutPages()).ToList();

            Assert.Equal(trajectory.Steps.Count, examples.Count);
            for (var step = 0; step < examples.Count; step++)
            {
                var example = examples[step];
                var plan = step == 0 ? TestPlans.For(trajectory).Plan : replans.Rounds[step - 1].Plan;
                Assert.Empty(ExampleValidator.Validate(example));
                Assert.Equal($"{trajectory.Id}/dynamic-executor/{step}", example.Id);
                Assert.Equal(ExampleKind.Executor, example.Kind);
                Assert.Equal(ExecutorExamples.SystemMessage(trajectory.Task, plan), example.Messages[0].Content);
                Assert.Equal(ActionPrinter.Print(trajectory.Steps[step].Action), example.Target.Content);
                Assert.Equal(builder.BuildStep(new PlannedTrajectory(trajectory, trajectory.Id, plan), step).Messages, example.Messages);
            }

            Assert.Contains("Round 1:", examples[1].Messages[0].Content, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Replans_pair_only_with_the_trajectory_they_were_made_from()
    {
        var trajectories = await TestPlans.SampleTrajectoriesAsync();
        var changed = trajectories[1] with { Steps = trajectories[1].Steps.Select(s => s.Index == 1 ? s with { Action = trajectories[1].Steps[0].Action } : s).ToEquatableList() };
        var path = Path.Combine(TestPaths.TempDir(), "replans.jsonl");
        await File.WriteAllLinesAsync(path, trajectories.Take(3).Select(t => ReplanJsonl.Format(TestPlans.ReplansFor(t))));
        var problems = new ProblemLog(skipInvalid: true);
        var pairing = await PlanPairing.LoadReplansAsync(path, problems);

        var paired = await pairing.PairAsync(new[] { trajectories[0], changed, trajectories[3] }.ToAsyncEnumerable(), "t.jsonl", problems).ToListAsync();

        Assert.Equal([trajectories[0].Id], paired.Select(p => p.Trajectory.Id));
        Assert.All(paired, p => Assert.All(p.Record.Rounds, r => Assert.Empty(r.Html)));
        Assert.Contains(problems.Problems, p => p.Reason.Contains("action 1 differs from the record's", StringComparison.Ordinal) && p.Location.Line == 2);
        Assert.Equal([trajectories[3].Id], pairing.TrajectoriesWithoutRecord);
        Assert.Equal([trajectories[2].Id], pairing.RecordsWithoutTrajectory);
    }

    [Fact]
    public async Task Training_records_tell_replan_records_apart_and_make_replanner_examples()
    {
        var trajectories = await TestPlans.SampleTrajectoriesAsync();
        var path = Path.Combine(TestPaths.TempDir(), "replans.jsonl");
        await File.WriteAllLinesAsync(path, trajectories.Select(t => ReplanJsonl.Format(TestPlans.ReplansFor(t))));
        var withoutSchema = Path.Combine(TestPaths.TempDir(), "replans.jsonl");
        await File.WriteAllTextAsync(withoutSchema, File.ReadAllLines(path)[0].Replace("\"schema\":\"planact/replan@2\",", "", StringComparison.Ordinal));

        Assert.Equal(TrainingRecordKind.Replans, await TrainingRecords.DetectAsync(path));
        Assert.Equal(TrainingRecordKind.Replans, await TrainingRecords.DetectAsync(withoutSchema));
        var examples = await TrainingRecords.ReadAsync(path, new ExampleBuilders(new ExamplePageOptions()), new ProblemLog()).ToListAsync();
        Assert.Equal(trajectories.Sum(t => t.Steps.Count - 1), examples.Count);
        Assert.All(examples, e => Assert.Equal(ExampleKind.Replanner, e.Kind));
    }

    [Fact]
    public async Task Schema_file_names_every_field_the_writer_emits()
    {
        using var schema = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(TestPaths.Root, "schemas", "replan.schema.json")));
        var properties = schema.RootElement.GetProperty("properties");
        var round = properties.GetProperty("rounds").GetProperty("items").GetProperty("properties");
        var step = schema.RootElement.GetProperty("$defs").GetProperty("steps").GetProperty("items").GetProperty("properties");
        using var line = JsonDocument.Parse(ReplanJsonl.Format(TestPlans.ReplansFor((await TestPlans.SampleTrajectoriesAsync())[0])));

        Assert.All(line.RootElement.EnumerateObject(), p => Assert.True(properties.TryGetProperty(p.Name, out _), $"schema lacks \"{p.Name}\""));
        Assert.All(line.RootElement.GetProperty("rounds")[0].EnumerateObject(), p => Assert.True(round.TryGetProperty(p.Name, out _), $"schema lacks rounds[].{p.Name}"));
        Assert.All(line.RootElement.GetProperty("initial_plan")[0].EnumerateObject(), p => Assert.True(step.TryGetProperty(p.Name, out _), $"schema lacks steps[].{p.Name}"));
        Assert.Equal(
            [ReplanJsonl.SchemaId, ReplanJsonl.LegacySchemaId],
            properties.GetProperty("schema").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
    }
}
