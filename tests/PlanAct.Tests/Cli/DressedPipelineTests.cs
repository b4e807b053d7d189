using PlanAct.Loopback;
using PlanAct.Stages;

namespace PlanAct.Tests.Cli;

/// <summary>
/// A CoT pipeline and the outcome judge against a teacher that dresses every answer (a <c>&lt;think&gt;</c> block, a
/// preface, a fence, bold headings and names, range lists, a postscript, Windows line ends): every stage accepts every
/// answer at the first attempt, and its statistics count them as normalized.
/// </summary>
public class DressedPipelineTests
{
    private static IReadOnlyDictionary<string, string> Key => new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-test-SECRET-20" };

    private static string[] Teacher(LoopbackTeacher teacher, string dir) =>
        ["--base-url", teacher.BaseUrl.ToString(), "--model", "loopback-model", "--ledger", Path.Combine(dir, "ledger.db")];

    [Fact]
    public async Task Every_stage_accepts_dressed_answers_at_the_first_attempt()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedPipeline.DressedCotAnswer(r));
        var dir = TestPaths.TempDir();
        var run = Path.Combine(dir, "run");
        var pipeline = Path.Combine(dir, "dressed.yaml");
        await File.WriteAllTextAsync(
            pipeline,
            $"inputs:\n  trajectories: {Path.Combine(TestPaths.Samples, "trajectories.jsonl")}\nstages:\n"
            + "  annotate:\n    options: { mode: cot }\n  act:\n    options: { cot: true }\n"
            + "  expand:\n    options: { count: 10, per_request: 5, seeds: 3, seed: 0 }\n"
            + $"  classify:\n    options: {{ classes: {Path.Combine(TestPaths.Samples, "failure-classes.yaml")} }}\n"
            + "  replan:\n    options: { cot: true }\n");

        var result = await PlanactCli.RunAsync(Key, ["run", pipeline, "--run-dir", run, .. Teacher(teacher, dir)]);
        var judged = await PlanactCli.RunAsync(
            Key, ["tasks", "judge", "--input", Path.Combine(TestPaths.Samples, "trajectories.jsonl"), "--out", Path.Combine(run, "kept.jsonl"), .. Teacher(teacher, dir)]);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.True(judged.ExitCode == 0, judged.Stderr);
        Assert.DoesNotContain(teacher.Received, r => ScriptedReplans.IsReask(r));
        var stats = Directory.GetFiles(run, "*.stats.json").Select(p => StageStats.TryRead(p)!).ToList();
        Assert.Equal(["act", "annotate", "classify", "expand", "judge", "replan"], stats.Select(s => s.Stage).Order(StringComparer.Ordinal));
        Assert.All(stats, s =>
        {
            Assert.Equal(0, s.Quarantined);
            Assert.Empty(s.RejectedByReason);
            Assert.True(s.Normalized >= s.Ok, $"{s.Stage}: {s.Normalized} normalized of {s.Ok}");
        });
    }
}
