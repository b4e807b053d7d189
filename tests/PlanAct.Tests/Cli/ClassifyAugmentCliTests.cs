using System.Text.Json;
using PlanAct.IO;
using PlanAct.Loopback;
using PlanAct.Plans;
using PlanAct.Tests.Training;

namespace PlanAct.Tests.Cli;

/// <summary>`planact classify` then `planact augment` as real child processes against the loopback teacher.</summary>
public class ClassifyAugmentCliTests
{
    private static readonly string Classes = Path.Combine("samples", "failure-classes.yaml");

    private static IReadOnlyDictionary<string, string> Key => new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-test" };

    private static string[] Teacher(LoopbackTeacher teacher, string dir) =>
        ["--base-url", teacher.BaseUrl.ToString(), "--model", "loopback-model", "--ledger", Path.Combine(dir, "ledger.db")];

    private static LoopbackReply Classifier(ReceivedRequest r) => ScriptedPairs.Site(r) switch
    {
        "reddit" => ScriptedLabels.Answer("Other", "None of the classes is about subscribing."),
        "map" when !ScriptedPlans.IsReask(r) => ScriptedLabels.Answer("**Road_Trips**"),
        _ => ScriptedLabels.Answer("`" + ScriptedLabels.Classes(r)[0].ToUpperInvariant() + "`"),
    };

    [Fact]
    public async Task Classify_labels_every_record_and_asks_again_about_an_unknown_class()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => Classifier(r));
        var dir = TestPaths.TempDir();
        var plans = await TestPlans.WriteAsync(Path.Combine(dir, "plans.jsonl"), (await TestPlans.SampleTrajectoriesAsync()).Select(TestPlans.For));
        var labelled = Path.Combine(dir, "labelled.jsonl");

        var result = await PlanactCli.RunAsync(Key, ["classify", "--plans", plans, "--classes", Classes, "--out", labelled, .. Teacher(teacher, dir)]);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var records = await PlanJsonl.ReadAsync(labelled, new ProblemLog()).ToListAsync();
        Assert.Equal(17, records.Count);
        Assert.All(records.Where(r => r.Site == "map"), r => Assert.Equal("location_search", r.Label!.Class));
        Assert.All(records.Where(r => r.Site == "reddit"), r => Assert.Equal(new FailureLabel("Other", "None of the classes is about subscribing."), r.Label));
        Assert.All(records.Where(r => r.Site == "shopping"), r => Assert.Equal("search_terms_too_narrow", r.Label!.Class));
        Assert.Equal(17 + 4, teacher.Calls);
        Assert.Contains(teacher.Received, r => r.LastUserMessage.Contains("'Road_Trips' is not one of the classes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Augment_makes_one_targeted_pair_per_labelled_record_and_dedups_them()
    {
        await using var classifier = await LoopbackTeacher.StartAsync((r, _) => Classifier(r));
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedPairs.Site(r) == "gitlab"
            ? new LoopbackReply.Answer(ScriptedPairs.Pair(1, ScriptedPairs.SeedQueries(r)[0] + " again", 1))
            : ScriptedPairs.Valid(r));
        var dir = TestPaths.TempDir();
        var plans = await TestPlans.WriteAsync(Path.Combine(dir, "plans.jsonl"), (await TestPlans.SampleTrajectoriesAsync()).Select(TestPlans.For));
        var labelled = Path.Combine(dir, "labelled.jsonl");
        var classified = await PlanactCli.RunAsync(Key, ["classify", "--plans", plans, "--classes", Classes, "--out", labelled, .. Teacher(classifier, dir)]);
        Assert.True(classified.ExitCode == 0, classified.Stderr);
        var targeted = Path.Combine(dir, "targeted.jsonl");
        string[] args = ["augment", "--input", labelled, "--out", targeted, .. Teacher(teacher, Path.Combine(dir, "b"))];

        var first = await PlanactCli.RunAsync(Key, args);
        var again = await PlanactCli.RunAsync(Key, args);

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains("14 labelled records to augment, 3 labelled Other", first.Stderr, StringComparison.Ordinal);
        Assert.Equal(14, teacher.Calls);
        var seeds = (await PlanJsonl.ReadAsync(labelled, new ProblemLog()).ToListAsync()).ToDictionary(r => r.Id);
        var records = await PlanJsonl.ReadAsync(targeted, new ProblemLog()).ToListAsync();
        Assert.Equal(14 - 3, records.Count);
        Assert.All(records, r =>
        {
            var seed = seeds[r.InitialHtmlFrom!];
            Assert.Equal(PlanOrigin.Targeted, r.Origin);
            Assert.Equal($"targeted-{seed.Id}", r.Id);
            Assert.Equal((seed.Site, seed.InitialHtml, seed.Label), (r.Site, r.InitialHtml, r.Label));
            Assert.Equal([seed.Id], r.Seeds!);
        });
        var report = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(targeted, ".report.json"))).RootElement;
        Assert.Equal(3, report.GetProperty("rejected").GetProperty("near_duplicate").GetInt32());
        Assert.Equal(JsonValueKind.Null, report.GetProperty("target").ValueKind);

        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Equal(14, teacher.Calls);
    }

    [Fact]
    public async Task Augment_needs_labels()
    {
        var dir = TestPaths.TempDir();
        var plans = await TestPlans.WriteAsync(Path.Combine(dir, "plans.jsonl"), (await TestPlans.SampleTrajectoriesAsync()).Select(TestPlans.For));

        var result = await PlanactCli.RunAsync("augment", "--input", plans, "--out", Path.Combine(dir, "t.jsonl"), "--ledger", Path.Combine(dir, "l.db"), "--dry-run");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("plans.jsonl:1: record", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("run planact classify first", result.Stderr, StringComparison.Ordinal);
    }
}
