using System.Text.Json;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;
using PlanAct.Export;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Teacher.Cost;
using PlanAct.Tests.Training;
using PlanAct.Training;

namespace PlanAct.Tests.Export;

/// <summary>The formats trainers and the Hub take as they are: Hugging Face Parquet folders, TRL, LLaMA-Factory's dataset_info.json.</summary>
public class DatasetFormatsTests
{
    /// <summary>Executor examples of the samples (with reasoning on some) as example records, and the file that holds them.</summary>
    private static async Task<(string Path, List<TrainingExample> Examples)> RecordsAsync(string dir)
    {
        var builder = new ExecutorExamples(new ExamplePageOptions());
        var examples = (await TestPlans.SampleTrajectoriesAsync())
            .SelectMany(t => builder.Build(new PlannedTrajectory(t, t.Id, TestPlans.For(t).Plan)))
            .Select((e, i) => i % 3 == 0 ? e with { Reasoning = $"Because of step {e.Source.Step}.", Teacher = "gpt-4.1" } : e)
            .ToList();
        var path = Path.Combine(dir, "executor.jsonl");
        await ExampleJsonl.WriteAsync(path, examples.ToAsyncEnumerable());
        return (path, examples);
    }

    private static async Task<(ExportReport Report, int PagesCut)> ExportAsync(string input, string output, string card, IExportFormat format)
    {
        var (reports, pagesCut) = await DatasetExporter.ExportFileAsync(
            [input], [new ExportTarget(format, output, card)], new ExportOptions(), new ExamplePageOptions(), new CardSources("planact export", "no-ledger.db", PriceTable.Default), new ProblemLog());
        return (reports[0], pagesCut);
    }

    private static List<Dictionary<string, object?>> Query(string sql)
    {
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<Dictionary<string, object?>>();
        while (reader.Read())
        {
            rows.Add(Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, i => reader.IsDBNull(i) ? null : reader.GetValue(i)));
        }

        return rows;
    }

    [Fact]
    public async Task The_hf_folder_is_read_back_by_duckdb_with_every_row_equal_to_the_jsonl_export()
    {
        var dir = TestPaths.TempDir();
        var (input, examples) = await RecordsAsync(dir);
        var jsonl = Path.Combine(dir, "executor.openai.jsonl");
        await ExportAsync(input, jsonl, Path.Combine(dir, "card.md"), new OpenAiChatFormatter(trainEarlierTurns: true));
        var folder = Path.Combine(dir, "hf");
        var format = new HuggingFaceFormat(new ExampleSplit(0.3), maxRowGroupBytes: 200_000);
        var (report, _) = await ExportAsync(input, folder, format.DefaultCardPath(folder), format);
        Assert.Equal(examples.Count, report.Written);

        var expected = File.ReadAllLines(jsonl).Zip(examples).ToDictionary(p => p.Second.Id, p => (Messages: JsonNode.Parse(p.First)!["messages"]!, Example: p.Second));
        var rows = Query($"SELECT id, kind, site, task, to_json(messages)::VARCHAR AS messages, reasoning, source.trajectory AS trajectory, source.step AS step, source.plan AS plan, teacher, filename FROM read_parquet('{folder}/data/*/*.parquet', filename = true)");
        Assert.Equal(examples.Count, rows.Count);
        foreach (var row in rows)
        {
            var (messages, example) = expected[(string)row["id"]!];
            Assert.True(JsonNode.DeepEquals(messages, JsonNode.Parse((string)row["messages"]!)), $"{row["id"]}: messages differ");
            Assert.Equal(("executor", example.Site, example.Task, example.Reasoning, example.Teacher), ((string?)row["kind"], (string?)row["site"], (string?)row["task"], (string?)row["reasoning"], (string?)row["teacher"]));
            Assert.Equal((example.Source.Trajectory, example.Source.Step, example.Source.Plan), ((string?)row["trajectory"], (int?)row["step"], (string?)row["plan"]));
            Assert.EndsWith($"/data/executor/{format.Split.SplitOf(example)}-00000.parquet", (string)row["filename"]!, StringComparison.Ordinal);
        }

        // Whole trajectories on one side; both sides used.
        var splits = rows.GroupBy(r => (string)r["trajectory"]!).Select(g => g.Select(r => Path.GetFileName((string)r["filename"]!)).Distinct().Count());
        Assert.All(splits, count => Assert.Equal(1, count));
        Assert.Equal(2, rows.Select(r => Path.GetFileName((string)r["filename"]!)).Distinct().Count());

        // Row groups are cut by size: several, each far under the Hub viewer's limit.
        var groups = Query($"SELECT DISTINCT file_name, row_group_id, row_group_bytes FROM parquet_metadata('{folder}/data/*/*.parquet')");
        Assert.True(groups.Count > 2, $"{groups.Count} row groups");
        Assert.All(groups, g => Assert.InRange(Convert.ToInt64(g["row_group_bytes"], System.Globalization.CultureInfo.InvariantCulture), 1, 100L << 20));

        // The README's front matter declares the config and its splits, above the card.
        var readme = await File.ReadAllTextAsync(Path.Combine(folder, "README.md"));
        Assert.StartsWith("---\nconfigs:\n- config_name: executor\n  data_files:\n  - split: train\n    path: data/executor/train-*.parquet\n  - split: validation\n    path: data/executor/validation-*.parquet\n", readme, StringComparison.Ordinal);
        Assert.Contains("\nlicense: other\ntask_categories:\n- text-generation\nlanguage:\n- en\nsize_categories:\n- n<1K\ntags:\n", readme, StringComparison.Ordinal);
        Assert.Contains("---\n" + DatasetCard.Marker + "\n# hf\n", readme, StringComparison.Ordinal);
        Assert.Contains("load_dataset(\"hf\", \"executor\")", readme, StringComparison.Ordinal);
        Assert.True(DatasetCard.CanReplace(Path.Combine(folder, "README.md")));

        // Exporting again replaces the data, never adds to it.
        await ExportAsync(input, folder, format.DefaultCardPath(folder), format);
        Assert.Equal(examples.Count, Query($"SELECT count(*) AS n FROM read_parquet('{folder}/data/*/*.parquet')").Single()["n"] switch { var n => Convert.ToInt32(n, System.Globalization.CultureInfo.InvariantCulture) });
    }

    [Fact]
    public void Trl_is_the_conversational_prompt_completion_form()
    {
        var line = new TrlFormatter().FormatLine([ExampleMessage.System("s"), ExampleMessage.User("q1"), ExampleMessage.Assistant("a1"), ExampleMessage.User("q2"), ExampleMessage.Assistant("a2")]);
        Assert.Equal(
            """{"prompt":[{"role":"system","content":"s"},{"role":"user","content":"q1"},{"role":"assistant","content":"a1"},{"role":"user","content":"q2"}],"completion":[{"role":"assistant","content":"a2"}]}""",
            line);
    }

    [Fact]
    public async Task ShareGpt_files_registered_side_by_side_are_all_in_dataset_info_json()
    {
        // Export writes several files at once: each registration reads the file, adds its entry and writes it back.
        var dir = TestPaths.TempDir();
        var names = Enumerable.Range(0, 200).Select(i => $"file{i}.sharegpt").ToList();
        await Task.WhenAll(names.Select(n => Task.Run(() => ShareGptFormatter.RegisterAsync(Path.Combine(dir, n + ".jsonl")))));

        var entries = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "dataset_info.json")))!.AsObject();
        Assert.Equal(names.Order(), entries.Select(e => e.Key).Order());
    }

    [Fact]
    public async Task ShareGpt_registers_the_file_in_dataset_info_json_and_keeps_other_entries()
    {
        var dir = TestPaths.TempDir();
        var (input, examples) = await RecordsAsync(dir);
        var info = Path.Combine(dir, "dataset_info.json");
        await File.WriteAllTextAsync(info, """{"alpaca_en": {"file_name": "alpaca_en.json"}}""");
        var output = Path.Combine(dir, "executor.sharegpt.jsonl");
        await ExportAsync(input, output, Path.Combine(dir, "card.md"), new ShareGptFormatter());

        var entries = JsonNode.Parse(await File.ReadAllTextAsync(info))!.AsObject();
        Assert.Equal("alpaca_en.json", entries["alpaca_en"]!["file_name"]!.GetValue<string>());
        var entry = entries["executor.sharegpt"]!;
        Assert.Equal(("executor.sharegpt.jsonl", "sharegpt", "conversations"), (entry["file_name"]!.GetValue<string>(), entry["formatting"]!.GetValue<string>(), entry["columns"]!["messages"]!.GetValue<string>()));
        Assert.Equal(("from", "value", "human", "gpt", "system"), (entry["tags"]!["role_tag"]!.GetValue<string>(), entry["tags"]!["content_tag"]!.GetValue<string>(), entry["tags"]!["user_tag"]!.GetValue<string>(), entry["tags"]!["assistant_tag"]!.GetValue<string>(), entry["tags"]!["system_tag"]!.GetValue<string>()));

        // Every line has exactly the roles the entry's tags name.
        Assert.Equal(examples.Count, File.ReadLines(output).Count());
        Assert.All(File.ReadLines(output), line =>
        {
            using var json = JsonDocument.Parse(line);
            Assert.All(json.RootElement.GetProperty("conversations").EnumerateArray(), m => Assert.Contains(m.GetProperty("from").GetString(), new[] { "system", "human", "gpt" }));
        });

        await File.WriteAllTextAsync(info, "[1, 2]");
        await Assert.ThrowsAsync<InputException>(() => ExportAsync(input, output, Path.Combine(dir, "card.md"), new ShareGptFormatter()));
        Assert.Equal("[1, 2]", await File.ReadAllTextAsync(info));
    }

    [Fact]
    public async Task OpenAi_chat_weights_every_assistant_turn_before_the_target_and_the_card_says_how_to_train()
    {
        var dir = TestPaths.TempDir();
        var (input, _) = await RecordsAsync(dir);
        var output = Path.Combine(dir, "executor.openai.jsonl");
        await ExportAsync(input, output, Path.Combine(dir, "executor.openai.card.md"), new OpenAiChatFormatter());
        foreach (var line in File.ReadLines(output))
        {
            var messages = JsonNode.Parse(line)!["messages"]!.AsArray();
            for (var i = 0; i < messages.Count; i++)
            {
                var weighted = messages[i]!["weight"] is not null;
                Assert.Equal(messages[i]!["role"]!.GetValue<string>() == "assistant" && i < messages.Count - 1, weighted);
            }
        }

        var card = await File.ReadAllTextAsync(Path.Combine(dir, "executor.openai.card.md"));
        Assert.Contains("## Training with it", card, StringComparison.Ordinal);
        Assert.Contains("client.fine_tuning.jobs.create", card, StringComparison.Ordinal);
        Assert.Contains("message_field_training: weight", card, StringComparison.Ordinal);
    }
}
