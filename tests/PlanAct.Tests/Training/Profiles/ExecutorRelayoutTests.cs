using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Training;
using PlanAct.Training.Profiles;

namespace PlanAct.Tests.Training.Profiles;

/// <summary>Executor records laid out again under another profile take their earlier rounds from the records before them.</summary>
public class ExecutorRelayoutTests
{
    private static async Task<(List<TrainingExample> Records, string Dir)> RecordsAsync()
    {
        var trajectory = (await TestPlans.SampleTrajectoriesAsync())[0];
        var plan = TestPlans.For(trajectory);
        var records = new ExecutorExamples(new ExamplePageOptions()).Build(new PlannedTrajectory(trajectory, plan.Id, plan.Plan))
            .Select(e => e with { Reasoning = $"Why {e.Source.Step}." }).ToList();
        return (records, TestPaths.TempDir());
    }

    private static async Task<(List<TrainingExample> Examples, ExampleBuilders Builders)> ReadAsync(string dir, IEnumerable<TrainingExample> records, PromptProfile profile)
    {
        var path = Path.Combine(dir, "executor.jsonl");
        await File.WriteAllLinesAsync(path, records.Select(ExampleJsonl.Format));
        var builders = new ExampleBuilders(new ExamplePageOptions { Profile = profile });
        return (await TrainingRecords.ReadAsync(path, builders, new ProblemLog()).ToListAsync(), builders);
    }

    [Fact]
    public async Task Under_planact_the_records_are_exported_as_written()
    {
        var (records, dir) = await RecordsAsync();
        var (examples, _) = await ReadAsync(dir, records, PromptProfile.PlanAct);
        Assert.Equal(records, examples);
    }

    [Fact]
    public async Task A_step_without_a_record_refuses_the_steps_after_it_and_says_why()
    {
        var (records, dir) = await RecordsAsync();
        var (examples, builders) = await ReadAsync(dir, records.Where(r => r.Source.Step != 2), PromptProfile.PlanAndAct);

        Assert.Equal([0, 1], examples.Select(e => e.Source.Step!.Value));
        Assert.All(builders.Refusals.Refused, r => Assert.Contains("step 2 of the trajectory has no record", r.Reason, StringComparison.Ordinal));
        Assert.Equal(records.Count - 3, builders.Refusals.Refused.Count);
    }

    [Fact]
    public async Task An_earlier_step_without_reasoning_is_named()
    {
        var (records, dir) = await RecordsAsync();
        records[1] = records[1] with { Reasoning = null };
        var (examples, builders) = await ReadAsync(dir, records, PromptProfile.PlanAndAct);

        Assert.Single(examples);
        Assert.Contains(builders.Refusals.Refused, r => r.Id == records[1].Id && r.Reason.Contains("`planact act --cot`", StringComparison.Ordinal));
        Assert.Contains(builders.Refusals.Refused, r => r.Id == records[2].Id && r.Reason.StartsWith("step 1 has no reasoning", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Records_out_of_step_order_are_bad_input_at_their_line()
    {
        var (records, dir) = await RecordsAsync();
        (records[1], records[2]) = (records[2], records[1]);
        var e = await Assert.ThrowsAsync<InputException>(() => ReadAsync(dir, records, PromptProfile.PlanAndAct));
        Assert.Contains("executor.jsonl:3", e.Message, StringComparison.Ordinal);
        Assert.Contains("in order, as act writes them", e.Message, StringComparison.Ordinal);
    }
}
