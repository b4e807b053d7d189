using System.Text.Json;
using PlanAct.Export;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Teacher.Cost;
using PlanAct.Tests.Training;
using PlanAct.Text;
using PlanAct.Training;

namespace PlanAct.Tests.Export;

public class ExportTests
{
    /// <summary>Executor examples of every sample trajectory, plus planner examples of their plans.</summary>
    private static async Task<List<TrainingExample>> SampleExamplesAsync()
    {
        var trajectories = await TestPlans.SampleTrajectoriesAsync();
        var executor = new ExecutorExamples(new ExamplePageOptions());
        var planner = new PlannerExamples(new ExamplePageOptions());
        return
        [
            .. trajectories.Select(t => planner.Build(TestPlans.For(t) with { Teacher = "gpt-4.1", Reasoning = "why", Requests = EquatableList.Of($"r-{t.Id}") })),
            .. trajectories.SelectMany(t => executor.Build(new PlannedTrajectory(t, t.Id, TestPlans.For(t).Plan))),
        ];
    }

    private static async Task<(ExportReport Report, List<JsonElement> Lines)> ExportAsync(string format, int? maxTokens = null)
    {
        var examples = await SampleExamplesAsync();
        var path = Path.Combine(TestPaths.TempDir(), "train.jsonl");
        var report = await DatasetExporter.WriteAsync(path, examples.ToAsyncEnumerable(), new ExportOptions(ExampleFormatters.ByName(format)!) { MaxTokens = maxTokens });
        var lines = File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        Assert.Equal(report.Written, lines.Count);
        return (report, lines);
    }

    [Fact]
    public async Task Every_openai_chat_line_is_a_valid_chat()
    {
        var (report, lines) = await ExportAsync("openai-chat");
        Assert.Equal(17 + 115, lines.Count);
        Assert.All(lines, line =>
        {
            Assert.Equal(["messages"], line.EnumerateObject().Select(p => p.Name));
            var messages = line.GetProperty("messages").EnumerateArray().ToList();
            Assert.Equal("system", messages[0].GetProperty("role").GetString());
            Assert.Equal("assistant", messages[^1].GetProperty("role").GetString());
            for (var i = 1; i < messages.Count; i++)
            {
                Assert.Equal(i % 2 == 1 ? "user" : "assistant", messages[i].GetProperty("role").GetString());
            }

            Assert.All(messages, m => Assert.False(string.IsNullOrWhiteSpace(m.GetProperty("content").GetString())));
        });
        Assert.Equal(new Dictionary<string, int> { ["executor"] = 115, ["planner"] = 17 }, report.ByKind);
        Assert.Equal(17, report.SourceTrajectories);
        Assert.Equal(17, report.TeacherRequests.Count);
        Assert.Equal(17, report.Teachers["gpt-4.1"]);
    }

    [Fact]
    public async Task ShareGpt_lines_alternate_human_and_gpt_after_an_optional_system()
    {
        var (_, lines) = await ExportAsync("sharegpt");
        Assert.All(lines, line =>
        {
            var turns = line.GetProperty("conversations").EnumerateArray().Select(t => t.GetProperty("from").GetString()).ToList();
            Assert.Equal("system", turns[0]);
            var rest = turns.Skip(1).ToList();
            Assert.True(rest.Count % 2 == 0);
            Assert.All(rest.Select((from, i) => (from, i)), t => Assert.Equal(t.i % 2 == 0 ? "human" : "gpt", t.from));
        });
    }

    [Fact]
    public async Task Alpaca_and_torchtune_lines_have_their_fields()
    {
        var (_, alpaca) = await ExportAsync("alpaca");
        Assert.All(alpaca, line =>
        {
            Assert.Equal(["instruction", "input", "output"], line.EnumerateObject().Select(p => p.Name));
            Assert.StartsWith("You are the", line.GetProperty("instruction").GetString(), StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(line.GetProperty("input").GetString()));
            Assert.False(string.IsNullOrWhiteSpace(line.GetProperty("output").GetString()));
        });
        var (_, torchtune) = await ExportAsync("torchtune");
        Assert.All(torchtune, line =>
        {
            Assert.Equal(["input", "output"], line.EnumerateObject().Select(p => p.Name));
            Assert.StartsWith("You are the", line.GetProperty("input").GetString(), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Examples_over_the_token_limit_are_left_out_and_reported_never_cut()
    {
        var (all, _) = await ExportAsync("openai-chat");
        var limit = (int)all.Tokens.Median;
        var (report, lines) = await ExportAsync("openai-chat", limit);
        Assert.NotEmpty(report.Overlong);
        Assert.Equal(all.Written, report.Written + report.Overlong.Count);
        Assert.All(report.Overlong, o => Assert.True(o.Tokens > limit));
        Assert.True(report.Tokens.Max <= limit);
        Assert.All(lines, line => Assert.True(line.GetProperty("messages").EnumerateArray().Sum(m => TokenCounter.O200k.Count(m.GetProperty("content").GetString()!)) <= limit));
    }

    [Fact]
    public async Task Card_has_counts_tokens_teachers_sources_cost_date_and_command()
    {
        var (report, _) = await ExportAsync("sharegpt");
        var context = new CardContext("in.jsonl", "out/train.jsonl", "sharegpt", false, null, "planact export --input in.jsonl", new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero))
        {
            Ledger = "runs/ledger.db",
        };
        var card = DatasetCard.Render(report, context);
        Assert.StartsWith(DatasetCard.Marker + "\n# train.jsonl\n", card, StringComparison.Ordinal);
        Assert.Contains("132 Plan-and-Act training examples in the **sharegpt** format, made by `planact export` on 2026-01-02.", card, StringComparison.Ordinal);
        Assert.Contains("| executor | 115 |", card, StringComparison.Ordinal);
        Assert.Contains("| map | ", card, StringComparison.Ordinal);
        Assert.Contains($"min {report.Tokens.Min}, median {report.Tokens.Median}, p95 {report.Tokens.P95}, max {report.Tokens.Max}.", card, StringComparison.Ordinal);
        Assert.Contains("| gpt-4.1 | 17 |", card, StringComparison.Ordinal);
        Assert.Contains("17 trajectories, 17 plans", card, StringComparison.Ordinal);
        Assert.Contains("Not available: there is no teacher ledger at `runs/ledger.db` to price the 17 requests", card, StringComparison.Ordinal);
        Assert.Contains("planact export --input in.jsonl", card, StringComparison.Ordinal);
        var priced = DatasetCard.Render(report, context with { Cost = new RecordsCost(12.5m, 15, 30_000, 4_000, 5, 2, ["local-model"]) });
        Assert.Contains("$12.50 for the 15 teacher requests behind these records (30,000 input + 4,000 output tokens; 5 answered through the Batch API at its price), read from `runs/ledger.db`.", priced, StringComparison.Ordinal);
        Assert.Contains("models without a price (local-model)", priced, StringComparison.Ordinal);
        Assert.Contains("2 requests the records name are not in this ledger", priced, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_a_card_planact_wrote_is_replaced()
    {
        var dir = TestPaths.TempDir();
        var card = DatasetCard.DefaultPath(Path.Combine(dir, "train.jsonl"));
        Assert.Equal(Path.Combine(dir, "train.card.md"), card);
        Assert.True(DatasetCard.CanReplace(card));
        await File.WriteAllTextAsync(card, DatasetCard.Marker + "\n# old card\n");
        Assert.True(DatasetCard.CanReplace(card));
        await File.WriteAllTextAsync(card, "# My project\n");
        Assert.False(DatasetCard.CanReplace(card));
    }
}
