using Microsoft.Extensions.AI;
using PlanAct.Actions;
using PlanAct.Loopback;
using PlanAct.Plans;
using PlanAct.Stages;
using PlanAct.Stages.Act;
using PlanAct.Stages.Annotate;
using PlanAct.Stages.Classify;
using PlanAct.Stages.Tasks;
using PlanAct.Teacher;
using PlanAct.Tests.Training;
using static PlanAct.Tests.Stages.AnnotateStageTests;

namespace PlanAct.Tests.Stages;

/// <summary>
/// Teachers that dress their answers (<see cref="ScriptedDressing"/>): correct answers are accepted at the first
/// attempt and counted as normalized; a wrong answer is re-asked once with what was wrong, the dressing taken off and
/// the expected form, which is all a teacher that fixes only what it is told needs.
/// </summary>
public class DressedAnswersTests
{
    [Fact]
    public async Task Dressed_plans_are_accepted_at_the_first_attempt_and_counted_as_normalized()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedDressing.Dress(ScriptedPlans.Valid(r)));
        var dir = TestPaths.TempDir();
        var outPath = Path.Combine(dir, "plans.jsonl");

        var summary = await AnnotateAsync(Options(teacher, dir), outPath);

        Assert.Equal(17, summary.Ok);
        Assert.Equal(0, summary.Quarantined);
        Assert.Equal(17, teacher.Calls);
        var stats = StageStats.TryRead(StageStats.PathBeside(outPath))!;
        Assert.Empty(stats.RejectedByReason);
        Assert.Equal(17, stats.Normalized);
        foreach (var kind in new[] { Dressing.LineEnds, Dressing.Preface, Dressing.Fence, Dressing.Heading, Dressing.FieldName, Dressing.IndexList, Dressing.Postscript })
        {
            Assert.Equal(17, stats.NormalizedByDressing![kind]);
        }
    }

    [Fact]
    public async Task A_wrong_plan_is_fixed_after_one_reask_by_a_teacher_that_fixes_only_what_it_is_told()
    {
        // The teacher leaves the last action out, keeps its dressing, and fixes the plan only when told exactly which action is missing.
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) =>
        {
            var count = ScriptedPlans.ActionCount(r);
            var told = ScriptedReplans.IsReask(r) && r.LastUserMessage.Contains($"Action {count - 1} is not assigned to any step", StringComparison.Ordinal);
            return ScriptedDressing.Dress(new LoopbackReply.Answer(told || count == 1 ? ScriptedPlans.ValidPlan(count) : ScriptedPlans.BrokenPartition(count)));
        });
        var dir = TestPaths.TempDir();
        var outPath = Path.Combine(dir, "plans.jsonl");

        var summary = await AnnotateAsync(Options(teacher, dir), outPath);

        var broken = (await TestPlans.SampleTrajectoriesAsync()).Count(t => t.Steps.Count > 1);
        Assert.Equal(17, summary.Ok);
        Assert.Equal(0, summary.Quarantined);
        Assert.Equal(17 + broken, teacher.Calls);
        var stats = StageStats.TryRead(StageStats.PathBeside(outPath))!;
        Assert.Equal(broken, stats.RejectedByReason.Values.Sum());
        Assert.Equal(17, stats.Normalized);
        var reask = teacher.Received.First(ScriptedReplans.IsReask).LastUserMessage;
        Assert.Contains("(It was read after taking off Windows line ends, code fence lines (```markdown), ", reask, StringComparison.Ordinal);
        Assert.Contains("a preface (\"Sure! Here is my answer.\"), a postscript (\"Let me know if you need any changes.\"); that was not the problem.)", reask, StringComparison.Ordinal);
        Assert.Contains("The expected form of a grounded plan, for example:\n\n## Step 1\n", reask, StringComparison.Ordinal);
    }

    public static TheoryData<string> Formats() => [.. Wrong.Keys];

    /// <summary>Per format: a wrong answer, the right one, what the re-ask must say for the teacher to fix it, and the stage's check.</summary>
    private static readonly Dictionary<string, (string Wrong, string Right, string Told, Func<string, Checked<bool>> Check)> Wrong = new(StringComparer.Ordinal)
    {
        ["classification"] = (
            "## Reasoning\nThe task is about shipping.\n\n## Classification\nShipping",
            "## Reasoning\nThe task needs the site's search.\n\n## Classification\nSearch",
            "write exactly one of: Search, Checkout, Other",
            a => Kept(ClassifyStage.Check(a, [new("Search", "d", "", []), new("Checkout", "d", "", [])]))),
        ["executor"] = (
            "## Reasoning\nThe search box is next.\n\n## Action\ndo(action=\"Click\", element=\"13\")",
            "## Reasoning\nThe search box is next.\n\n## Action\ndo(action=\"Click\", element=\"12\")",
            "The action must be the one that was taken, do(action=\"Click\", element=\"12\")",
            a => Kept(ExecutorReasoningStage.Check(a, ActionParser.Parse("do(action=\"Click\", element=\"12\")")))),
        ["verdict"] = (
            "Verdict: PROBABLY\nReason: The order seems saved.",
            "Verdict: YES\nReason: The order is saved.",
            "'Verdict:' must be YES or NO",
            a => Kept(JudgeStage.Check(a))),
        ["rewrite"] = (
            "## Thinking\nSearch first.\n\n## Step 1\nReasoning: The search box is there.\nStep: Search for mugs.",
            "## Thinking\nSearch first.\n\n## Step 1\nReasoning: The search box is there.\nStep: Search for blue mugs.",
            "Step 1's 'Step:' line must stay as it was: \"Search for blue mugs.\"",
            a => Kept(CotAnnotation.CheckRewrite(a, new Plan([new PlanStep(1, "r", "d", "Search for blue mugs.", [0])])))),
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Every_format_needs_one_reask_from_a_teacher_that_fixes_only_what_it_is_told(string format)
    {
        var (wrong, right, told, check) = Wrong[format];
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) =>
            ScriptedDressing.Dress(new LoopbackReply.Answer(ScriptedReplans.IsReask(r) && r.LastUserMessage.Contains(told, StringComparison.Ordinal) ? right : wrong)));
        var dir = TestPaths.TempDir();
        await using var session = await TeacherSession.OpenAsync(Options(teacher, dir), null);

        var outcome = await session.DialogFor(format).AskAsync(
            "item", [new ChatMessage(ChatRole.User, "answer")], reply => check(reply.Text), CancellationToken.None);

        Assert.IsType<TeacherOutcome<bool>.Accepted>(outcome);
        Assert.Single(outcome.Rejected);
        Assert.Equal(2, teacher.Calls);
        Assert.Contains("for example:", teacher.Received.Last().LastUserMessage, StringComparison.Ordinal);
    }

    // The stage's verdict without its value: the dialog needs only whether, why, and what was taken off.
    private static Checked<bool> Kept<T>(Checked<T> result) =>
        (result.Error is null ? Checked<bool>.Ok(true) : Checked<bool>.Fail(result.Error)) with { Removed = result.Removed, Form = result.Form };
}
