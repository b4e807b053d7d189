using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Trajectories;

namespace PlanAct.Tests.Training;

/// <summary>Grounded plan records for trajectories, made in test code: one plan step per two actions, worded from the actions' comments.</summary>
internal static class TestPlans
{
    public static Task<List<Trajectory>> SampleTrajectoriesAsync() =>
        TrajectoryFiles.ReadAsync(Path.Combine(TestPaths.Samples, "trajectories.jsonl"), new TrajectoryReadOptions()).ToListAsync().AsTask();

    public static PlanRecord For(Trajectory trajectory)
    {
        var steps = trajectory.Steps.Chunk(2).Select((chunk, i) => new PlanStep(
            i + 1,
            i == 0 ? $"The first page is the {trajectory.Site} start page; the task needs \"{trajectory.Task}\"." : $"Step {i} is done; next comes action {chunk[0].Index}.",
            $"Actions {chunk[0].Index}..{chunk[^1].Index}.",
            string.Join(" Then ", chunk.Select(s => s.Action.Element is { } e ? $"use element {e} ({s.Action.Label})" : s.Action.Label)),
            chunk.Select(s => s.Index).ToEquatableList()));
        var plan = new Plan(steps.ToEquatableList());
        Assert.Empty(PlanValidator.ValidateGrounding(plan, 0, trajectory.Steps.Count));
        return new PlanRecord(trajectory.Id, trajectory.Site, trajectory.Task, trajectory.InitialHtml, plan, PlanOrigin.Grounded);
    }

    /// <summary>Replans of a trajectory made in test code: at round r, action r alone, then the rest; each round with a trace.</summary>
    public static ReplanRecord ReplansFor(Trajectory trajectory)
    {
        var count = trajectory.Steps.Count;
        var rounds = Enumerable.Range(1, count - 1).Select(r =>
        {
            var steps = new List<PlanStep> { new(1, $"Round {r}: the page after {r} actions.", "d", $"Do action {r}.", EquatableList.Of(r)) };
            if (r + 1 < count)
            {
                steps.Add(new PlanStep(2, "Then the rest.", "d", "Finish.", Enumerable.Range(r + 1, count - r - 1).ToEquatableList()));
            }

            return new ReplanRound(r, trajectory.Steps[r].Html, new Plan(steps.ToEquatableList())) { Reasoning = $"trace {r}", Requests = EquatableList.Of($"req-{r}") };
        });
        var record = new ReplanRecord(trajectory.Id, trajectory.Site, trajectory.Task, trajectory.Steps.Select(s => s.Action).ToEquatableList(), For(trajectory).Plan, rounds.ToEquatableList())
        {
            Teacher = "gpt-4.1",
        };
        Assert.Empty(record.Validate());
        return record;
    }

    public static async Task<string> WriteAsync(string path, IEnumerable<PlanRecord> plans)
    {
        await File.WriteAllLinesAsync(path, plans.Select(PlanJsonl.Format));
        return path;
    }
}
