using System.Text.Json;
using PlanAct.IO;
using PlanAct.Loopback;
using PlanAct.Plans;
using PlanAct.Tests.Training;

namespace PlanAct.Tests.Cli;

/// <summary>
/// Only reasoning written without hindsight becomes training reasoning: a grounded annotation's own trace and replan's
/// grounded round never reach an exported target, replan --cot exports its thinking round's reasoning, and expand and
/// augment with CoT give every accepted pair reasoning.
/// </summary>
public class ReasoningCliTests
{
    private const string GroundedTrace = "HINDSIGHT-TRACE: the last page shows what the task was after.";

    private static readonly string Samples = Path.Combine("samples", "trajectories.jsonl");

    private static IReadOnlyDictionary<string, string> Key => new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-test" };

    private static string[] Teacher(LoopbackTeacher teacher, string dir) =>
        ["--base-url", teacher.BaseUrl.ToString(), "--model", "loopback-model", "--ledger", Path.Combine(dir, "ledger.db")];

    /// <summary>A reasoning teacher: grounded annotations come with their own trace, replans as <see cref="ScriptedReplans.ValidCot"/>.</summary>
    private static LoopbackReply ReasoningTeacher(ReceivedRequest r) =>
        ScriptedPipeline.IsAnnotate(r) ? new LoopbackReply.Answer($"<think>{GroundedTrace}</think>\n{ScriptedPlans.ValidPlan(ScriptedPlans.ActionCount(r))}")
        : ScriptedReplans.ValidCot(r);

    private static IEnumerable<string> Targets(string exported) => File.ReadLines(exported).Select(line =>
    {
        using var json = JsonDocument.Parse(line);
        return json.RootElement.GetProperty("messages").EnumerateArray().Last().GetProperty("content").GetString()!;
    }).ToList();

    [Fact]
    public async Task Grounded_traces_are_kept_as_annotation_traces_and_never_exported_while_replan_cot_exports_its_thinking_round()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ReasoningTeacher(r));
        var dir = TestPaths.TempDir();
        var plans = Path.Combine(dir, "plans.jsonl");
        var replans = Path.Combine(dir, "replans.cot.jsonl");

        var annotate = await PlanactCli.RunAsync(Key, ["annotate", "--input", Samples, "--out", plans, .. Teacher(teacher, dir)]);
        var replan = await PlanactCli.RunAsync(Key, ["replan", "--input", Samples, "--plans", plans, "--out", replans, "--cot", .. Teacher(teacher, dir)]);
        var plannerExport = await PlanactCli.RunAsync("export", "--input", plans, "--format", "openai-chat", "--with-reasoning", "--out", Path.Combine(dir, "planner.jsonl"));
        var plannerRefused = await PlanactCli.RunAsync("export", "--input", plans, "--format", "openai-chat", "--profile", "plan-and-act", "--out", Path.Combine(dir, "planner.pa.jsonl"));
        var replannerExport = await PlanactCli.RunAsync("export", "--input", replans, "--format", "openai-chat", "--profile", "plan-and-act", "--out", Path.Combine(dir, "replanner.pa.jsonl"));

        Assert.True(annotate.ExitCode == 0, annotate.Stderr);
        Assert.True(replan.ExitCode == 0, replan.Stderr);
        Assert.All(await PlanJsonl.ReadAsync(plans, new ProblemLog()).ToListAsync(), p => Assert.Equal((null, GroundedTrace), (p.Reasoning, p.AnnotationTrace)));
        Assert.True(plannerExport.ExitCode == 0, plannerExport.Stderr);
        Assert.All(Targets(Path.Combine(dir, "planner.jsonl")), t => Assert.DoesNotContain("HINDSIGHT-TRACE", t, StringComparison.Ordinal));
        Assert.Equal(4, plannerRefused.ExitCode);
        Assert.Contains("its annotation trace was written seeing the whole run, so it is never training reasoning", plannerRefused.Stderr, StringComparison.Ordinal);

        Assert.True(replannerExport.ExitCode == 0, replannerExport.Stderr);
        var records = await ReplanJsonl.ReadLocatedAsync(replans, new ProblemLog()).Select(r => r.Record).ToListAsync();
        var targets = Targets(Path.Combine(dir, "replanner.pa.jsonl")).ToList();
        Assert.Equal(records.Sum(r => r.Rounds.Count), targets.Count);
        Assert.All(records.SelectMany(r => r.Rounds), r => Assert.StartsWith($"Round {r.Round}: actions {r.Round} to", r.AnnotationTrace, StringComparison.Ordinal));
        Assert.All(targets, t =>
        {
            Assert.Contains("The task names what to find", t, StringComparison.Ordinal);
            Assert.DoesNotContain("remain.", t, StringComparison.Ordinal);
            Assert.DoesNotContain("HINDSIGHT-TRACE", t, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Expand_and_augment_with_cot_give_every_accepted_pair_reasoning_and_leave_out_a_pair_whose_reasoning_never_validates()
    {
        string? broken = null;
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) =>
        {
            if (!ScriptedPlans.IsRewrite(r))
            {
                return ScriptedPipeline.Answer(r);
            }

            // The first pair asked about never gets a valid thinking answer: it names an action number every time.
            broken ??= ScriptedPairs.UserMessage(r);
            return new LoopbackReply.Answer(broken == ScriptedPairs.UserMessage(r)
                ? ScriptedPlans.Rewrite(r).Replace("The task names", "Action 2 will show it; the task names", StringComparison.Ordinal)
                : ScriptedPlans.Rewrite(r));
        });
        var dir = TestPaths.TempDir();
        var trajectories = await TestPlans.SampleTrajectoriesAsync();
        var seeds = await TestPlans.WriteAsync(Path.Combine(dir, "seeds.jsonl"), trajectories.Select(TestPlans.For));
        var labelled = await TestPlans.WriteAsync(
            Path.Combine(dir, "labelled.jsonl"), trajectories.Select(t => TestPlans.For(t) with { Label = new FailureLabel("search_terms_too_narrow", "It searches.") }));
        var synthetic = Path.Combine(dir, "synthetic.cot.jsonl");
        var targeted = Path.Combine(dir, "targeted.cot.jsonl");

        var expand = await PlanactCli.RunAsync(Key, ["expand", "--plans", seeds, "--count", "6", "--per-request", "3", "--out", synthetic, "--cot", .. Teacher(teacher, dir)]);
        var augment = await PlanactCli.RunAsync(Key, ["augment", "--input", labelled, "--out", targeted, "--cot", .. Teacher(teacher, dir)]);
        var export = await PlanactCli.RunAsync("export", "--input", synthetic, "--format", "openai-chat", "--profile", "plan-and-act", "--out", Path.Combine(dir, "synthetic.pa.jsonl"));

        Assert.True(expand.ExitCode == 4, expand.Stderr);
        Assert.True(augment.ExitCode == 0, augment.Stderr);
        var generated = await PlanJsonl.ReadAsync(synthetic, new ProblemLog()).ToListAsync();
        var aimed = await PlanJsonl.ReadAsync(targeted, new ProblemLog()).ToListAsync();
        Assert.Equal(5, generated.Count);
        Assert.Equal(trajectories.Count, aimed.Count);
        Assert.All(generated.Concat(aimed), p =>
        {
            Assert.StartsWith("The task names what to find", p.Reasoning, StringComparison.Ordinal);
            Assert.All(p.Plan.Steps, s => Assert.Equal("Seen from the first page, this step comes next.", s.Reasoning));
        });
        Assert.Contains("1 of 6 accepted pairs got no valid reasoning and are left out", expand.Stderr, StringComparison.Ordinal);
        Assert.Single(await File.ReadAllLinesAsync(Path.Combine(dir, "synthetic.cot.thinking.quarantine.jsonl")));
        Assert.True(export.ExitCode == 0, export.Stderr);
        Assert.All(Targets(Path.Combine(dir, "synthetic.pa.jsonl")), t => Assert.Contains("The task names what to find", t, StringComparison.Ordinal));

        var calls = teacher.Calls;
        var written = await File.ReadAllTextAsync(synthetic);
        var again = await PlanactCli.RunAsync(Key, ["expand", "--plans", seeds, "--count", "6", "--per-request", "3", "--out", synthetic, "--cot", .. Teacher(teacher, dir)]);
        Assert.True(again.ExitCode == 4, again.Stderr);
        Assert.Equal(calls, teacher.Calls);
        Assert.Equal(written, await File.ReadAllTextAsync(synthetic));
    }
}
