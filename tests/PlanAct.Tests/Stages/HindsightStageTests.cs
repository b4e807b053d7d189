using System.Text.Json;
using PlanAct.IO;
using PlanAct.Loopback;
using PlanAct.Plans;
using PlanAct.Plans.Hindsight;
using PlanAct.Stages;
using PlanAct.Stages.Replan;
using PlanAct.Teacher;
using PlanAct.Tests.Training;
using PlanAct.Trajectories;

namespace PlanAct.Tests.Stages;

/// <summary>annotate and replan re-ask a plan that names what its model could not know, and quarantine it as hindsight_leak when it never stops.</summary>
public class HindsightStageTests
{
    private const string Planted = "The first page shows where to start; the category has 7 products.";

    private static async Task<Trajectory> HerbsAsync() =>
        (await TestPlans.SampleTrajectoriesAsync()).Single(t => t.Task.Contains("Herb, Spice & Seasoning Gifts", StringComparison.Ordinal));

    private static bool IsAbout(ReceivedRequest request, Trajectory trajectory) =>
        request.Body["messages"]!.AsArray().Any(m => m!["content"]!.ToString().Contains(trajectory.Task, StringComparison.Ordinal));

    private static string Plant(string plan) => plan.Replace("The first page shows where to start.", Planted, StringComparison.Ordinal)
        .Replace("Reasoning: The current page shows", "Reasoning: The category has 7 products. The current page shows", StringComparison.Ordinal);

    private static string Expected(HindsightCheck check, string plan) => HindsightCheck.Error(check.Find(TargetPart.Of(PlanText.Parse(plan).Plan!)));

    [Fact]
    public async Task Annotate_reasks_a_count_only_the_last_steps_show_and_keeps_the_plan_without_it()
    {
        var herbs = await HerbsAsync();
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) =>
            IsAbout(r, herbs) && !ScriptedPlans.IsReask(r) ? new LoopbackReply.Answer(Plant(ScriptedPlans.ValidPlan(ScriptedPlans.ActionCount(r)))) : ScriptedPlans.Valid(r));
        var dir = TestPaths.TempDir();
        var outPath = Path.Combine(dir, "plans.jsonl");

        var summary = await AnnotateStageTests.AnnotateAsync(AnnotateStageTests.Options(teacher, dir), outPath);

        Assert.Equal(17, summary.Ok);
        var reask = Assert.Single(teacher.Received, ScriptedPlans.IsReask);
        var error = Expected(new TrajectoryHindsight(herbs).At(0), Plant(ScriptedPlans.ValidPlan(herbs.Steps.Count)));
        Assert.StartsWith("Hindsight: Step 1's reasoning names '7 products', which ", error, StringComparison.Ordinal);
        Assert.Contains(error, reask.LastUserMessage, StringComparison.Ordinal);
        var plan = (await AnnotateStageTests.ReadPlansAsync(outPath)).Single(p => p.Id == herbs.Id);
        Assert.DoesNotContain("7 products", plan.Plan.ToString(), StringComparison.Ordinal);
        var stats = StageStats.TryRead(StageStats.PathBeside(outPath))!;
        Assert.Equal(1, stats.RejectedByReason[HindsightCheck.Reason]);
    }

    [Fact]
    public async Task Annotate_quarantines_a_plan_that_never_drops_it_as_hindsight_leak()
    {
        var herbs = await HerbsAsync();
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) =>
            IsAbout(r, herbs) ? new LoopbackReply.Answer(Plant(ScriptedPlans.ValidPlan(ScriptedPlans.ActionCount(r)))) : ScriptedPlans.Valid(r));
        var dir = TestPaths.TempDir();
        var outPath = Path.Combine(dir, "plans.jsonl");

        var summary = await AnnotateStageTests.AnnotateAsync(AnnotateStageTests.Options(teacher, dir), outPath);

        Assert.Equal(16, summary.Ok);
        using var doc = JsonDocument.Parse(Assert.Single(await File.ReadAllLinesAsync(QuarantineFile.PathBeside(outPath))));
        Assert.Equal(herbs.Id, doc.RootElement.GetProperty("id").GetString());
        Assert.Equal(HindsightCheck.Reason, doc.RootElement.GetProperty("reason").GetString());
        Assert.All(doc.RootElement.GetProperty("attempts").EnumerateArray(), a => Assert.StartsWith(HindsightCheck.ErrorPrefix, a.GetProperty("error").GetString(), StringComparison.Ordinal));
        var stats = StageStats.TryRead(StageStats.PathBeside(outPath))!;
        Assert.Equal(3, stats.RejectedByReason[HindsightCheck.Reason]);
        Assert.Equal(1, stats.QuarantinedByReason[HindsightCheck.Reason]);
    }

    [Fact]
    public async Task Replan_reasks_a_value_of_the_final_answer_and_quarantines_a_round_that_keeps_it()
    {
        var herbs = await HerbsAsync();
        var planted = Plant(ScriptedReplans.ValidPlan(1, herbs.Steps.Count - 1));
        var error = Expected(new TrajectoryHindsight(herbs).At(1), planted);
        Assert.StartsWith("Hindsight: Step 1's reasoning names '7 products'", error, StringComparison.Ordinal);

        await ReplanWithALeakAsync(
            herbs,
            cot: false,
            (r, always) => IsAbout(r, herbs) && ScriptedReplans.Round(r) == 1 && (always || !ScriptedReplans.IsReask(r))
                ? new LoopbackReply.Answer(Plant(((LoopbackReply.Answer)ScriptedReplans.Valid(r)).Text))
                : ScriptedReplans.Valid(r),
            r => ScriptedReplans.IsReask(r) && r.LastUserMessage.Contains(error, StringComparison.Ordinal),
            round => round.Plan.ToString());
    }

    [Fact]
    public async Task Replan_cot_reasks_thinking_that_names_a_later_count_and_quarantines_a_trajectory_whose_thinking_keeps_it()
    {
        var herbs = await HerbsAsync();

        await ReplanWithALeakAsync(
            herbs,
            cot: true,
            (r, always) => IsAbout(r, herbs) && ScriptedPlans.IsRewrite(r) && (always || !ScriptedPlans.IsReask(r))
                ? new LoopbackReply.Answer(ScriptedPlans.Rewrite(r).Replace("The task names what to find;", "The category has 7 products;", StringComparison.Ordinal))
                : ScriptedReplans.ValidCot(r),
            r => ScriptedPlans.IsRewrite(r) && ScriptedPlans.IsReask(r) && r.LastUserMessage.Contains("Hindsight: The thinking names '7 products'", StringComparison.Ordinal),
            round => round.Reasoning!);
    }

    /// <summary>
    /// Replans the samples twice with a teacher that plants '7 products' in <paramref name="herbs"/>' first round: once
    /// only in the first attempt (the re-ask <paramref name="reasked"/> must fix it), once always (quarantined as hindsight_leak).
    /// </summary>
    private static async Task ReplanWithALeakAsync(
        Trajectory herbs, bool cot, Func<ReceivedRequest, bool, LoopbackReply> answer, Func<ReceivedRequest, bool> reasked, Func<ReplanRound, string> target)
    {
        var planned = (await TestPlans.SampleTrajectoriesAsync()).Select(t => new PlannedTrajectory(t, t.Id, TestPlans.For(t).Plan)).ToList();
        foreach (var always in new[] { false, true })
        {
            await using var teacher = await LoopbackTeacher.StartAsync((r, _) => answer(r, always));
            var dir = TestPaths.TempDir();
            var outPath = Path.Combine(dir, "replans.jsonl");
            await using var session = await TeacherSession.OpenAsync(AnnotateStageTests.Options(teacher, dir));
            var stage = new ReplanStage(new ReplanOptions { Cot = cot }, session.ModelFor(ReplanStage.StageName));

            var summary = await new StageRunner<PlannedTrajectory, ReplanRecord>(stage, session).RunAsync(() => planned.ToAsyncEnumerable(), outPath, TeacherMode.Online);

            Assert.Contains(teacher.Received, r => reasked(r));
            if (always)
            {
                Assert.Equal(1, summary.Quarantined);
                using var doc = JsonDocument.Parse(Assert.Single(await File.ReadAllLinesAsync(QuarantineFile.PathBeside(outPath))));
                Assert.Equal(HindsightCheck.Reason, doc.RootElement.GetProperty("reason").GetString());
            }
            else
            {
                Assert.Equal(17, summary.Ok);
                var record = (await ReplanJsonl.ReadLocatedAsync(outPath, new ProblemLog()).Select(r => r.Record).ToListAsync()).Single(r => r.Id == herbs.Id);
                Assert.DoesNotContain("7 products", target(record.Rounds[0]), StringComparison.Ordinal);
            }
        }
    }
}
