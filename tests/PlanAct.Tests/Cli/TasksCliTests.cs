using System.Text.Json;
using PlanAct.IO;
using PlanAct.Loopback;
using PlanAct.Stages.Tasks;
using PlanAct.Tests.Training;
using PlanAct.Text;
using PlanAct.Trajectories;

namespace PlanAct.Tests.Cli;

/// <summary>`planact tasks generate` and `planact tasks judge` as real child processes against the loopback teacher.</summary>
public class TasksCliTests
{
    private static readonly string Seeds = TestPaths.WebArenaLiteTasks;
    private static readonly string TestIntents = TestPaths.RealFixture("vab_test_webarena_lite.raw.json");

    private static IReadOnlyDictionary<string, string> Key => new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-test-SECRET-3" };

    private static string[] Teacher(LoopbackTeacher teacher, string dir) =>
        ["--base-url", teacher.BaseUrl.ToString(), "--model", "loopback-model", "--ledger", Path.Combine(dir, "ledger.db")];

    private static LoopbackReply TaskScript(ReceivedRequest r) => ScriptedTasks.IsGeneration(r) ? ScriptedTasks.Generate(r) : ScriptedTasks.Feasibility(r);

    [Fact]
    public async Task Generate_drops_duplicates_near_duplicates_and_infeasible_tasks_and_a_rerun_sends_nothing()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => TaskScript(r));
        var dir = TestPaths.TempDir();
        var outPath = Path.Combine(dir, "tasks.jsonl");
        string[] args = ["tasks", "generate", "--seeds", Seeds, "--avoid", TestIntents, "--sites", "shopping,map", "--per-site", "3", "--per-request", "5", "--seeds-per-request", "4", "--out", outPath, .. Teacher(teacher, dir)];

        var first = await PlanactCli.RunAsync(Key, args);
        var output = await File.ReadAllTextAsync(outPath);
        var calls = teacher.Calls;
        var again = await PlanactCli.RunAsync(Key, args);

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains("shopping: 3/3 tasks from 2 requests, 7 candidates rejected", first.Stderr, StringComparison.Ordinal);
        Assert.Contains("map: 3/3 tasks from 2 requests", first.Stderr, StringComparison.Ordinal);
        Assert.Equal(2 * (2 + 6), calls);
        Assert.Equal(0, again.ExitCode);
        Assert.Equal(calls, teacher.Calls);
        Assert.Equal(output, await File.ReadAllTextAsync(outPath));

        // Every task reads back as a query list entry of its site, and none is near any seed, test intent or other task.
        var tasks = await QueryListReader.ReadAsync(outPath, new ProblemLog()).ToListAsync();
        Assert.Equal(["shopping", "shopping", "shopping", "map", "map", "map"], tasks.Select(t => t.Sites.Single()));
        var known = new NearDuplicateIndex();
        foreach (var seed in await QueryListReader.ReadAsync(Seeds, new ProblemLog()).Concat(QueryListReader.ReadAsync(TestIntents, new ProblemLog())).ToListAsync())
        {
            known.Add(seed.Query);
        }

        foreach (var task in tasks)
        {
            Assert.Null(known.FindNearest(task.Query));
            Assert.DoesNotContain(ScriptedTasks.Infeasible, task.Query, StringComparison.Ordinal);
            known.Add(task.Query);
        }

        var rejected = File.ReadAllLines(TaskJsonl.RejectedPathBeside(outPath)).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("reason").GetString()!).ToList();
        Assert.Equal(4, rejected.Count(r => r.StartsWith("exact duplicate of a seed", StringComparison.Ordinal)));
        Assert.Equal(4, rejected.Count(r => r.StartsWith("near-duplicate (ROUGE-L", StringComparison.Ordinal)));
        Assert.Equal(4, rejected.Count(r => r == "infeasible: The site cannot move people."));
        Assert.Equal(2, rejected.Count(r => r.StartsWith("feasible, but the site's quota", StringComparison.Ordinal)));

        // The notes of what the site cannot do reach both prompts.
        var generation = teacher.Received.First(ScriptedTasks.IsGeneration);
        var feasibility = teacher.Received.First(ScriptedTasks.IsFeasibility);
        Assert.Contains("One Stop Market", generation.LastUserMessage, StringComparison.Ordinal);
        Assert.Contains("It cannot:\n- pay with a new card", feasibility.LastUserMessage, StringComparison.Ordinal);
        Assert.Equal(4, ScriptedTasks.Examples(generation).Count);
    }

    [Fact]
    public async Task Site_notes_from_a_file_replace_the_built_in_ones_for_their_site()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => TaskScript(r));
        var dir = TestPaths.TempDir();
        var notes = Path.Combine(dir, "notes.yaml");
        await File.WriteAllTextAsync(notes, "map:\n  about: A map of the moon.\n  cannot:\n    - show Earth\n");

        var result = await PlanactCli.RunAsync(Key, ["tasks", "generate", "--seeds", Seeds, "--sites", "map", "--per-site", "1", "--per-request", "4", "--site-notes", notes, "--out", Path.Combine(dir, "t.jsonl"), .. Teacher(teacher, dir)]);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.All(teacher.Received, r => Assert.Contains("A map of the moon.\n\nIt cannot:\n- show Earth", r.LastUserMessage, StringComparison.Ordinal));

        await File.WriteAllTextAsync(notes, "map:\n  about: A map.\n  limits: []\n");
        var bad = await PlanactCli.RunAsync(Key, ["tasks", "generate", "--seeds", Seeds, "--per-site", "1", "--site-notes", notes, "--out", Path.Combine(dir, "t.jsonl"), .. Teacher(teacher, dir)]);
        Assert.Equal(3, bad.ExitCode);
        Assert.Contains("notes.yaml:3", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_teacher_that_only_repeats_the_seeds_stops_at_the_request_cap_and_exits_4()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => new LoopbackReply.Answer(string.Join("\n", ScriptedTasks.Examples(r).Select((e, i) => $"{i + 1}. {e}"))));
        var dir = TestPaths.TempDir();
        var outPath = Path.Combine(dir, "tasks.jsonl");

        var result = await PlanactCli.RunAsync(Key, ["tasks", "generate", "--seeds", Seeds, "--sites", "gitlab", "--per-site", "2", "--max-requests-per-site", "3", "--out", outPath, .. Teacher(teacher, dir)]);

        Assert.True(result.ExitCode == 4, result.Stderr);
        Assert.Contains("gitlab: 0/2 tasks from 3 requests, 24 candidates rejected", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(3, teacher.Calls);
        Assert.Empty(await File.ReadAllTextAsync(outPath));
        Assert.Equal(24, File.ReadAllLines(TaskJsonl.RejectedPathBeside(outPath)).Length);
    }

    [Fact]
    public async Task Generate_needs_an_online_teacher()
    {
        var dir = TestPaths.TempDir();
        var dry = await PlanactCli.RunAsync("tasks", "generate", "--seeds", Seeds, "--per-site", "1", "--out", Path.Combine(dir, "t.jsonl"), "--ledger", Path.Combine(dir, "l.db"), "--dry-run");
        var none = await PlanactCli.RunAsync("tasks", "generate", "--seeds", Seeds, "--per-site", "1", "--out", Path.Combine(dir, "t.jsonl"), "--ledger", Path.Combine(dir, "l.db"));
        var zero = await PlanactCli.RunAsync("tasks", "generate", "--seeds", Seeds, "--per-site", "0", "--out", Path.Combine(dir, "t.jsonl"));

        Assert.Equal(2, dry.ExitCode);
        Assert.Contains("runs online", dry.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("PLANACT_MODEL", none.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, zero.ExitCode);
        Assert.False(File.Exists(Path.Combine(dir, "t.jsonl")));
    }

    [Fact]
    public async Task Judge_keeps_only_the_trajectories_judged_yes_and_reasks_an_answer_without_a_verdict()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) =>
            ScriptedTasks.ActionCount(r) == 3 && r.Body["messages"]!.AsArray().Count == 2
                ? new LoopbackReply.Answer("I believe the agent did fine.")
                : ScriptedTasks.JudgeEven(r));
        var dir = TestPaths.TempDir();
        var outPath = Path.Combine(dir, "kept.jsonl");
        string[] args = ["tasks", "judge", "--input", "samples/webarena-lite-sft.json", "--out", outPath, .. Teacher(teacher, dir)];
        var trajectories = await TestPlans.SampleTrajectoriesAsync();

        var first = await PlanactCli.RunAsync(Key, args);
        var calls = teacher.Calls;
        var again = await PlanactCli.RunAsync(Key, args);

        Assert.True(first.ExitCode == 0, first.Stderr);
        var even = trajectories.Where(t => t.Steps.Count % 2 == 0).ToList();
        Assert.Contains($"judge: kept {even.Count} of 17 trajectories judged YES", first.Stderr, StringComparison.Ordinal);
        Assert.Equal(17 + 1, calls);
        Assert.Equal(calls, teacher.Calls);
        Assert.Equal(0, again.ExitCode);
        var kept = await TrajectoryFiles.ReadAsync(outPath, new TrajectoryReadOptions()).ToListAsync();
        Assert.Equal(even.Select(t => (t.Id, t.Task, t.Steps.Count)), kept.Select(t => (t.Id, t.Task, t.Steps.Count)));
        var reask = teacher.Received.Single(r => r.Body["messages"]!.AsArray().Count > 2);
        Assert.Contains("The answer has no 'Verdict:' line.", reask.LastUserMessage, StringComparison.Ordinal);
        var verdicts = File.ReadAllLines(Path.Combine(dir, "kept.verdicts.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(17, verdicts.Count);
        Assert.Equal(even.Count, verdicts.Count(v => v.GetProperty("verdict").GetString() == "YES"));
        Assert.All(verdicts, v => Assert.False(string.IsNullOrEmpty(v.GetProperty("reason").GetString())));
    }

    [Theory]
    [InlineData("Verdict: YES\nReason: Done.", true, null)]
    [InlineData("**Verdict:** no\n**Reason:** It stopped.", false, null)]
    [InlineData("- Verdict: Yes.\n- Reason: fine", true, null)]
    [InlineData("Reason: fine", null, "no 'Verdict:' line")]
    [InlineData("Verdict: maybe\nReason: unsure", null, "must be YES or NO; got \"maybe\"")]
    [InlineData("Verdict: YES\nVerdict: NO\nReason: x", null, "2 'Verdict:' lines")]
    [InlineData("Verdict: YES", null, "gives no reason")]
    [InlineData("Verdict: YES\nReason:   ", null, "gives no reason")]
    public void Verdicts_parse_strictly(string answer, bool? yes, string? error)
    {
        var (verdict, why) = Verdict.Parse(answer);

        Assert.Equal(yes, verdict?.Yes);
        if (error is null)
        {
            Assert.Null(why);
            Assert.Equal(verdict, Verdict.Parse(verdict!.ToString()).Verdict);
        }
        else
        {
            Assert.Contains(error, why, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("1. Find a red shoe\n2) List the orders\n- Show my cart\n* \"Open the wiki\"", 4)]
    [InlineData("Here are tasks:\n\n1. One\n\nThanks!", 1)]
    [InlineData("Some prose without a list.", 0)]
    public void Generated_lists_parse_with_numbers_or_bullets(string answer, int count)
    {
        var parsed = TaskGenerator.ParseList(answer);

        Assert.Equal(count, parsed.Value?.Count ?? 0);
        Assert.Equal(count == 0, parsed.Error is not null);
        Assert.DoesNotContain(parsed.Value ?? [], t => t.Contains('"', StringComparison.Ordinal));
    }
}
