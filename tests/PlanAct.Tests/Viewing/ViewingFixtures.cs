using PlanAct.Actions;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Stages;
using PlanAct.Teacher;
using PlanAct.Trajectories;

namespace PlanAct.Tests.Viewing;

/// <summary>Small records written straight to files: plans, the trajectories they ground, a quarantine and a rejection journal.</summary>
internal static class ViewingFixtures
{
    /// <summary>A plan whose steps cover the actions in <paramref name="runs"/> (e.g. [0], [1, 2], [3]).</summary>
    public static Plan Plan(params int[][] runs) =>
        new(runs.Select((actions, i) => new PlanStep(i + 1, $"Reasoning {i + 1}.", $"Description {i + 1}.", $"Step {i + 1}.", actions.ToEquatableList())).ToEquatableList());

    public static PlanRecord PlanRecord(string id, string site, string task, Plan plan, string origin = PlanOrigin.Grounded) =>
        new(id, site, task, "<html><body><a id=\"1\">Start</a></body></html>", plan, origin) { Teacher = "gpt-4o-mini" };

    public static Trajectory Trajectory(string id, string site, string task, params string[] actions) =>
        new(id, site, task, actions.Select((a, i) => new TrajectoryStep(i, $"<html><body>page {i}</body></html>", ActionParser.Parse(a))).ToEquatableList());

    public static string Click(int element) => $"do(action=\"Click\", element=\"{element}\")";

    public static QuarantineRecord Quarantined(string id, string reason, string answer) =>
        new("annotate", id, reason, [new TeacherAttempt(1, "r1", answer, null, reason), new TeacherAttempt(2, "r2", answer, null, reason)]);

    /// <summary>Writes plans.jsonl (two grounded, one synthetic), its quarantine and rejection journal, and trajectories.jsonl, in a new folder.</summary>
    public static async Task<(string Plans, string Trajectories)> WritePlansAsync(string dir, string? firstTask = null)
    {
        var plans = Path.Combine(dir, "plans.jsonl");
        var trajectories = Path.Combine(dir, "trajectories.jsonl");
        await File.WriteAllLinesAsync(plans,
        [
            PlanJsonl.Format(PlanRecord("t1", "shopping", firstTask ?? "Buy tea", Plan([0], [1, 2], [3]))),
            PlanJsonl.Format(PlanRecord("t2", "gitlab", "Fork a project", Plan([0, 1]))),
            PlanJsonl.Format(PlanRecord("s1", "gitlab", "Star a project", Plan([0]), PlanOrigin.Synthetic)),
        ]);
        await QuarantineFile.WriteAsync(QuarantineFile.PathBeside(plans), [Quarantined("t3", "Action 2 is not assigned to any step.", "## Step 1\nActions: [0, 1]")], CancellationToken.None);
        await File.WriteAllTextAsync(RejectionJournal.PathBeside(plans), "{\"id\":\"t1\",\"reasons\":[\"Step 2 has no Actions field.\"]}\n");
        await TrajectoryJsonl.WriteAsync(trajectories, new[]
        {
            Trajectory("t1", "shopping", firstTask ?? "Buy tea", Click(1), Click(2), "# Element: the <b>cart</b>\ndo(action=\"Click\", element=\"3\")", "exit(message=\"done\")"),
            Trajectory("t2", "gitlab", "Fork a project", Click(1), Click(2)),
            Trajectory("t3", "reddit", "Subscribe", Click(1), Click(2), Click(3)),
        }.ToAsyncEnumerable());
        return (plans, trajectories);
    }
}
