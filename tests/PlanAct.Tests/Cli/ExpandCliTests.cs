using System.Text.Json;
using PlanAct.IO;
using PlanAct.Loopback;
using PlanAct.Plans;
using PlanAct.Tests.Training;
using PlanAct.Text;

namespace PlanAct.Tests.Cli;

/// <summary>`planact expand` as a real child process against the loopback teacher.</summary>
public class ExpandCliTests
{
    private static readonly string TestSet = TestPaths.RealFixture("vab_test_webarena_lite.raw.json");

    private static IReadOnlyDictionary<string, string> Key => new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-test" };

    private static async Task<string> SeedPlansAsync(string dir) =>
        await TestPlans.WriteAsync(Path.Combine(dir, "seeds.jsonl"), (await TestPlans.SampleTrajectoriesAsync()).Select(TestPlans.For));

    /// <summary>Four seeds per sample trajectory, so every site has more seeds than one request shows.</summary>
    private static async Task<string> ManySeedPlansAsync(string dir) =>
        await TestPlans.WriteAsync(Path.Combine(dir, "seeds.jsonl"), (await TestPlans.SampleTrajectoriesAsync()).Select(TestPlans.For)
            .SelectMany(p => Enumerable.Range(1, 4).Select(n => p with { Id = $"{p.Id}-v{n}", Task = $"{p.Task} (variant {n})" })));

    private static string[] Args(LoopbackTeacher teacher, string dir, string seeds, string outPath, params string[] more) =>
    [
        "expand", "--plans", seeds, "--out", outPath,
        "--base-url", teacher.BaseUrl.ToString(), "--model", "loopback-model", "--ledger", Path.Combine(dir, "ledger.db"),
        .. more,
    ];

    private static JsonElement Report(string outPath) =>
        JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(outPath, ".report.json"))).RootElement;

    private static async Task<List<PlanRecord>> ReadPlansAsync(string path) => await PlanJsonl.ReadAsync(path, new ProblemLog()).ToListAsync();

    [Fact]
    public async Task Each_rejection_reason_fires_and_a_rerun_sends_nothing()
    {
        var testIntent = (await QueryListReader.ReadAsync(TestSet, new ProblemLog()).FirstAsync()).Query;
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedPairs.Site(r) != "gitlab"
            ? ScriptedPairs.Valid(r)
            : ScriptedPairs.Valid(r, i => i switch
            {
                1 => ScriptedPairs.Pair(1, ScriptedPairs.SeedQueries(r)[0] + " quickly", 1),
                2 => ScriptedPairs.Pair(2, testIntent + " today", 1),
                3 => ScriptedPairs.Pair(3, ScriptedPairs.UniqueQuery(r, 3), ScriptedPairs.SeedCount(r) + 1),
                4 => ScriptedPairs.Pair(4, ScriptedPairs.UniqueQuery(r, 4), 1, "Just open the page and read it."),
                5 => ScriptedPairs.Pair(5, ScriptedPairs.SeedQueries(r)[1].ToUpperInvariant() + "!!", 2),
                _ => null,
            }));
        var dir = TestPaths.TempDir();
        var seeds = await SeedPlansAsync(dir);
        var outPath = Path.Combine(dir, "synthetic.jsonl");
        string[] args = Args(teacher, dir, seeds, outPath, "--count", "60", "--per-request", "10", "--decontaminate", TestSet);

        var first = await PlanactCli.RunAsync(Key, args);

        Assert.True(first.ExitCode == 0, first.Stderr);
        var report = Report(outPath);
        Assert.Equal(60, report.GetProperty("accepted").GetInt32());
        foreach (var reason in new[] { "near_duplicate", "test_set_near_duplicate", "seed_out_of_range", "malformed", "exact_duplicate" })
        {
            Assert.True(report.GetProperty("rejected").GetProperty(reason).GetInt32() >= 1, reason + "\n" + first.Stderr);
        }

        var rejected = File.ReadAllLines(Path.ChangeExtension(outPath, ".rejected.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Contains(rejected, r => r.GetProperty("reason").GetString() == "test_set_near_duplicate" && r.GetProperty("query").GetString() == testIntent + " today");
        Assert.All(rejected, r => Assert.Equal("gitlab", r.GetProperty("site").GetString()));
        Assert.Contains("rejected: malformed", first.Stderr, StringComparison.Ordinal);

        var records = await ReadPlansAsync(outPath);
        Assert.Equal(60, records.Count);
        Assert.All(records, r =>
        {
            Assert.Equal(PlanOrigin.Synthetic, r.Origin);
            Assert.Contains(r.InitialHtmlFrom!, r.Seeds!);
            Assert.NotEmpty(r.InitialHtml);
        });
        Assert.Equal(records.Count, records.Select(r => r.Id).Distinct().Count());

        var calls = teacher.Calls;
        var output = await File.ReadAllTextAsync(outPath);
        var again = await PlanactCli.RunAsync(Key, args);
        File.Delete(Path.ChangeExtension(outPath, ".answers.jsonl"));
        var fromLedger = await PlanactCli.RunAsync(Key, args);

        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.True(fromLedger.ExitCode == 0, fromLedger.Stderr);
        Assert.Equal(calls, teacher.Calls);
        Assert.Equal(output, await File.ReadAllTextAsync(outPath));
        Assert.Contains("0 sent", fromLedger.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sites_take_turns_and_the_same_seed_gives_the_same_output()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedPairs.Valid(r));
        var dir = TestPaths.TempDir();
        var seeds = await ManySeedPlansAsync(dir);
        string Out(string name) => Path.Combine(dir, name, "synthetic.jsonl");

        var a = await PlanactCli.RunAsync(Key, Args(teacher, Path.Combine(dir, "a"), seeds, Out("a"), "--count", "100", "--seed", "7"));
        var b = await PlanactCli.RunAsync(Key, Args(teacher, Path.Combine(dir, "b"), seeds, Out("b"), "--count", "100", "--seed", "7"));
        var c = await PlanactCli.RunAsync(Key, Args(teacher, Path.Combine(dir, "c"), seeds, Out("c"), "--count", "100", "--seed", "8"));

        Assert.True(a.ExitCode == 0, a.Stderr);
        Assert.True(b.ExitCode == 0, b.Stderr);
        Assert.True(c.ExitCode == 0, c.Stderr);
        Assert.Equal(await File.ReadAllTextAsync(Out("a")), await File.ReadAllTextAsync(Out("b")));
        Assert.NotEqual(await File.ReadAllTextAsync(Out("a")), await File.ReadAllTextAsync(Out("c")));

        var report = Report(Out("a"));
        Assert.Equal(10, report.GetProperty("requests").GetInt32());
        foreach (var site in report.GetProperty("accepted_by_site").EnumerateObject())
        {
            Assert.Equal(20, site.Value.GetInt32());
        }

        // Two requests per site show 10 of its 12 to 16 seeds: none twice.
        var shown = report.GetProperty("seeds_shown");
        Assert.Equal(68, shown.GetProperty("seeds").GetInt32());
        Assert.Equal(1, shown.GetProperty("max").GetInt32());
        Assert.Equal(68 - 50, shown.GetProperty("unused").GetInt32());
        var records = await ReadPlansAsync(Out("a"));
        Assert.All(records.GroupBy(r => r.Id[..15]), request => Assert.Single(request.Select(r => r.Site).Distinct()));
        Assert.Equal(5, records.Select(r => r.Site).Distinct().Count());

        // Synthetic records are planner training data like annotated ones.
        var export = await PlanactCli.RunAsync("export", "--input", Out("a"), "--format", "openai-chat", "--out", Path.Combine(dir, "a", "planner.jsonl"));
        Assert.True(export.ExitCode == 0, export.Stderr);
        Assert.Equal(100, File.ReadAllLines(Path.Combine(dir, "a", "planner.jsonl")).Length);
    }

    [Fact]
    public async Task The_request_budget_stops_with_exit_5_and_writes_what_was_accepted()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) =>
            ScriptedPairs.Valid(r, i => i > 2 ? ScriptedPairs.Pair(i, ScriptedPairs.UniqueQuery(r, i), 1, "no steps here") : null));
        var dir = TestPaths.TempDir();
        var seeds = await SeedPlansAsync(dir);
        var outPath = Path.Combine(dir, "synthetic.jsonl");

        var result = await PlanactCli.RunAsync(Key, Args(teacher, dir, seeds, outPath, "--count", "30", "--max-requests", "4"));

        Assert.True(result.ExitCode == 5, result.Stderr);
        Assert.Contains("request budget (4 requests) is spent with 8 of 30", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(4, teacher.Calls);
        Assert.Equal(8, (await ReadPlansAsync(outPath)).Count);
        Assert.Equal(32, Report(outPath).GetProperty("rejected").GetProperty("malformed").GetInt32());
    }

    [Fact]
    public async Task An_answer_without_pairs_is_asked_again_with_the_error()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) =>
            ScriptedPlans.IsReask(r) ? ScriptedPairs.Valid(r) : new LoopbackReply.Answer("Here are some ideas, but no pairs."));
        var dir = TestPaths.TempDir();
        var seeds = await SeedPlansAsync(dir);
        var outPath = Path.Combine(dir, "synthetic.jsonl");

        var result = await PlanactCli.RunAsync(Key, Args(teacher, dir, seeds, outPath, "--count", "10", "--sites", "map"));

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(2, teacher.Calls);
        Assert.Contains("No '## Data Pair N' blocks", teacher.Received.Last().LastUserMessage, StringComparison.Ordinal);
        Assert.All(await ReadPlansAsync(outPath), r => Assert.Equal("map", r.Site));
    }

    [Fact]
    public async Task Batch_gives_the_online_output_and_dry_run_needs_no_teacher()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedPairs.Valid(r));
        var dir = TestPaths.TempDir();
        var seeds = await SeedPlansAsync(dir);
        var online = Path.Combine(dir, "a", "synthetic.jsonl");
        var batched = Path.Combine(dir, "b", "synthetic.jsonl");

        var first = await PlanactCli.RunAsync(Key, Args(teacher, Path.Combine(dir, "a"), seeds, online, "--count", "30"));
        var second = await PlanactCli.RunAsync(Key, Args(teacher, Path.Combine(dir, "b"), seeds, batched, "--count", "30", "--batch", "--batch-poll", "0.05"));
        var dry = await PlanactCli.RunAsync("expand", "--plans", seeds, "--out", Path.Combine(dir, "c", "x.jsonl"), "--count", "30", "--ledger", Path.Combine(dir, "c", "ledger.db"), "--dry-run");

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Contains("(batch)", second.Stderr, StringComparison.Ordinal);
        Assert.Equal(await File.ReadAllTextAsync(online), await File.ReadAllTextAsync(batched));
        Assert.True(dry.ExitCode == 0, dry.Stderr);
        Assert.Contains("3 requests to send", dry.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, "c", "x.jsonl")));
    }

    [Theory]
    [InlineData("--count", "0")]
    [InlineData("--similarity", "1.5")]
    [InlineData("--sites", "wikipedia")]
    public async Task Bad_arguments_and_inputs_are_named(string flag, string value)
    {
        var dir = TestPaths.TempDir();
        var seeds = await SeedPlansAsync(dir);
        string[] args = ["expand", "--plans", seeds, "--out", Path.Combine(dir, "x.jsonl"), "--count", "5", "--ledger", Path.Combine(dir, "l.db"), "--dry-run", flag, value];

        var result = await PlanactCli.RunAsync(args);

        Assert.Equal(flag == "--sites" ? 3 : 2, result.ExitCode);
        Assert.Contains(flag == "--sites" ? "no seed plans for site \"wikipedia\"" : flag, result.Stderr, StringComparison.Ordinal);
    }
}
