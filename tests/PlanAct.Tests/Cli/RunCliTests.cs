using System.Text.Json;
using Microsoft.Data.Sqlite;
using PlanAct.Loopback;
using PlanAct.Pipeline.Nodes;
using PlanAct.Pipeline.Report;

namespace PlanAct.Tests.Cli;

/// <summary>`planact run` on the bundled pipeline as a real child process: dry run without a teacher, the full pipeline against the loopback teacher, resume after kill -9.</summary>
public class RunCliTests
{
    private static IReadOnlyDictionary<string, string> Key => new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-test-SECRET-9" };

    private static string[] Args(string dir, params string[] more) =>
        ["run", "--run-dir", Path.Combine(dir, "run"), "--ledger", Path.Combine(dir, "ledger.db"), .. more];

    private static string[] Teacher(LoopbackTeacher teacher) => ["--base-url", teacher.BaseUrl.ToString(), "--model", "loopback-model"];

    internal static async Task<Dictionary<string, int>> SendsAsync(string ledger, bool answeredOnly = true)
    {
        var sends = new Dictionary<string, int>();
        await using var connection = new SqliteConnection($"Data Source={ledger};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = answeredOnly
            ? "SELECT q.key, q.sends FROM requests q JOIN responses r ON r.key = q.key"
            : "SELECT key, sends FROM requests";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            sends[reader.GetString(0)] = reader.GetInt32(1);
        }

        return sends;
    }

    private static JsonElement Stage(string runDir, string stage, string manifestName = "run.json")
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, manifestName)));
        return manifest.RootElement.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("stage").GetString() == stage).Clone();
    }

    [Fact]
    public async Task Without_a_teacher_run_is_a_dry_run_with_request_files_an_estimate_and_a_report()
    {
        var dir = TestPaths.TempDir();

        var result = await PlanactCli.RunAsync(Args(dir));

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("dry run: 17 requests to send", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("annotate unconfigured: 17 requests", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("online price unknown, batch price unknown", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("total: online price unknown, batch price unknown (no price for \"unconfigured\", so there is no total", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("no teacher is configured, so this was a dry run", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("PLANACT_MODEL", result.Stdout, StringComparison.Ordinal);
        var run = Path.Combine(dir, "run");
        Assert.Equal(17, File.ReadAllLines(Path.Combine(run, "batches", "annotate-0001.jsonl")).Length);
        Assert.False(File.Exists(Path.Combine(run, "plans.jsonl")));
        Assert.False(File.Exists(Path.Combine(run, "run.json")));
        Assert.Equal("waiting", Stage(run, "annotate", "run.dryrun.json").GetProperty("status").GetString());
        Assert.Equal("blocked", Stage(run, "act", "run.dryrun.json").GetProperty("status").GetString());
        Assert.StartsWith("waits for annotate to finish; then 98 requests", Stage(run, "replan", "run.dryrun.json").GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Contains("expand: blocked: waits for annotate to finish; then 2 to 6 requests", result.Stderr, StringComparison.Ordinal);
        var report = await File.ReadAllTextAsync(Path.Combine(run, "report.html"));
        Assert.Contains("Waiting for the teacher: estimate", report, StringComparison.Ordinal);
        Assert.Contains("trajectories per site", report, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, "ledger.db"))); // a dry run creates no ledger
    }

    [Fact]
    public async Task Dry_run_with_a_model_prices_the_estimate_per_stage()
    {
        var dir = TestPaths.TempDir();

        var result = await PlanactCli.RunAsync(Args(dir, "--model", "gpt-4o-mini", "--dry-run"));

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Matches(@"annotate gpt-4o-mini: 17 requests, [\d,]+ input tokens, up to 34,816 output tokens: online \$0\.\d{4}, batch \$0\.\d{4}", result.Stdout);
        Assert.DoesNotContain("no teacher is configured", result.Stdout, StringComparison.Ordinal);

        // run.json and the report carry both prices, per stage and model and in total; the batch one at the default discount.
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "run", "run.dryrun.json")));
        var line = manifest.RootElement.GetProperty("estimate").EnumerateArray().Single();
        var total = manifest.RootElement.GetProperty("estimate_total");
        Assert.Equal("gpt-4o-mini", line.GetProperty("model").GetString());
        Assert.Equal(line.GetProperty("online").GetDecimal() / 2, line.GetProperty("batch").GetDecimal());
        Assert.Equal(line.GetProperty("online").GetDecimal(), total.GetProperty("online").GetDecimal());
        Assert.Equal(line.GetProperty("batch").GetDecimal(), total.GetProperty("batch").GetDecimal());
        Assert.Matches(@"  total: online \$0\.\d{4}, batch \$0\.\d{4}\n", result.Stdout.ReplaceLineEndings("\n"));
        var report = await File.ReadAllTextAsync(Path.Combine(dir, "run", "report.html"));
        var dollars = (decimal d) => d.ToString("$0.0000", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"<th>total</th><th></th><th>17</th>", report, StringComparison.Ordinal);
        Assert.Contains($"<th>{dollars(total.GetProperty("online").GetDecimal())}</th><th>{dollars(total.GetProperty("batch").GetDecimal())}</th></tr>", report, StringComparison.Ordinal);
        Assert.Contains("annotate: batch", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_loopback_teacher_run_makes_every_output_and_a_rerun_sends_nothing()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedPipeline.Answer(r));
        var dir = TestPaths.TempDir();
        var run = Path.Combine(dir, "run");

        var first = await PlanactCli.RunAsync(Key, Args(dir, Teacher(teacher)));
        var calls = teacher.Calls;
        var again = await PlanactCli.RunAsync(Key, Args(dir, Teacher(teacher)));

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains("planact: run samples (annotate → act → expand → classify → augment → replan → dynamic-act → export)", first.Stderr, StringComparison.Ordinal);
        Assert.Equal(17, File.ReadAllLines(Path.Combine(run, "plans.jsonl")).Length);
        Assert.Equal(115, File.ReadAllLines(Path.Combine(run, "executor.jsonl")).Length);
        Assert.Equal(20, File.ReadAllLines(Path.Combine(run, "synthetic.jsonl")).Length);
        Assert.Equal(17, File.ReadAllLines(Path.Combine(run, "labelled.jsonl")).Length);
        // Reddit's three plans are labelled Other; two shopping plans share their task, so their new pairs are the same: one is rejected.
        Assert.Equal(17 - 3 - 1, File.ReadAllLines(Path.Combine(run, "targeted.jsonl")).Length);
        Assert.Equal(17, File.ReadAllLines(Path.Combine(run, "replans.jsonl")).Length);
        Assert.Equal(115, File.ReadAllLines(Path.Combine(run, "dynamic-executor.jsonl")).Length);
        Assert.All(File.ReadAllLines(Path.Combine(run, "synthetic.jsonl")), line => Assert.Contains("\"origin\":\"synthetic\"", line, StringComparison.Ordinal));
        Assert.All(File.ReadAllLines(Path.Combine(run, "targeted.jsonl")), line => Assert.Contains("\"origin\":\"targeted\"", line, StringComparison.Ordinal));
        Assert.Equal(17, File.ReadAllLines(Path.Combine(run, "export", "planner.openai-chat.jsonl")).Length);
        Assert.Equal(20, File.ReadAllLines(Path.Combine(run, "export", "synthetic-planner.sharegpt.jsonl")).Length);
        Assert.Equal(13, File.ReadAllLines(Path.Combine(run, "export", "targeted-planner.openai-chat.jsonl")).Length);
        Assert.Equal(98, File.ReadAllLines(Path.Combine(run, "export", "replanner.openai-chat.jsonl")).Length);
        Assert.Equal(115, File.ReadAllLines(Path.Combine(run, "export", "executor.sharegpt.jsonl")).Length);
        Assert.Equal(115, File.ReadAllLines(Path.Combine(run, "export", "dynamic-executor.openai-chat.jsonl")).Length);
        Assert.True(File.Exists(Path.Combine(run, "export", "executor.openai-chat.md")));
        Assert.Contains("planact: annotate 17/17", first.Stderr, StringComparison.Ordinal);
        Assert.Contains("planact: act: done: 115 examples from 17 trajectories", first.Stderr, StringComparison.Ordinal);
        Assert.Contains("planact: expand: done: expand: 20 accepted of 20 wanted", first.Stderr, StringComparison.Ordinal);
        Assert.Contains("planact: augment: done: augment: 13 accepted from 14 pairs in 14 answers to 14 requests (0 quarantined); rejected: exact_duplicate 1", first.Stderr, StringComparison.Ordinal);
        Assert.Equal("done", Stage(run, "export").GetProperty("status").GetString());
        var expandReport = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "synthetic.report.json"))).RootElement;
        Assert.Equal(20, expandReport.GetProperty("accepted").GetInt32());
        var report = await File.ReadAllTextAsync(Path.Combine(run, "report.html"));
        Assert.Contains("generated pairs by outcome", report, StringComparison.Ordinal);
        Assert.Contains("augment: rejected: exact_duplicate", report, StringComparison.Ordinal);

        // One cost summary for the run, with its grand total: on the console, in run.json and in the report.
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(first.Stderr, "planact: cost: annotate "));
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(first.Stderr, @"planact: cost: total: \d+ sent, 0 from ledger"));
        var costTotal = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "run.json"))).RootElement.GetProperty("cost_total");
        Assert.Equal(teacher.Calls, costTotal.GetProperty("sends").GetInt32());
        Assert.Contains("<td>total</td>", report, StringComparison.Ordinal);

        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Equal(calls, teacher.Calls);
        Assert.Contains("17 ok (17 from an earlier run)", again.Stderr, StringComparison.Ordinal);
        Assert.Contains("act: done: up to date", again.Stderr, StringComparison.Ordinal);
        Assert.Contains("expand: done: up to date: expand: 20 accepted of 20 wanted", again.Stderr, StringComparison.Ordinal);
        Assert.Contains("augment: done: up to date: augment: 13 accepted", again.Stderr, StringComparison.Ordinal);
        Assert.Contains("export: done: up to date", again.Stderr, StringComparison.Ordinal);
        Assert.All((await SendsAsync(Path.Combine(dir, "ledger.db"))).Values, sends => Assert.Equal(1, sends));
        Assert.DoesNotContain("SECRET", first.Stderr + first.Stdout + await File.ReadAllTextAsync(Path.Combine(run, "run.json")), StringComparison.Ordinal);

        var stats = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "plans.stats.json"))).RootElement;
        Assert.Equal(17, stats.GetProperty("ok").GetInt32());

        // A dry run after it finds every answer in the ledger, writes no output and lets nothing downstream run.
        var executorWritten = File.GetLastWriteTimeUtc(Path.Combine(run, "executor.jsonl"));
        var manifest = await File.ReadAllTextAsync(Path.Combine(run, "run.json"));
        var dry = await PlanactCli.RunAsync(Key, Args(dir, [.. Teacher(teacher), "--dry-run"]));
        Assert.True(dry.ExitCode == 0, dry.Stderr);
        Assert.Contains("annotate: waiting: dry run: 0 requests to send for 17 items", dry.Stderr, StringComparison.Ordinal);
        Assert.Contains("act: blocked", dry.Stderr, StringComparison.Ordinal);
        Assert.Contains("expand: blocked", dry.Stderr, StringComparison.Ordinal);
        Assert.Equal(executorWritten, File.GetLastWriteTimeUtc(Path.Combine(run, "executor.jsonl")));
        Assert.Equal(calls, teacher.Calls);

        // ... and never replaces the real run's manifest or report: its own goes beside.
        Assert.Equal(manifest, await File.ReadAllTextAsync(Path.Combine(run, "run.json")));
        Assert.True(File.Exists(Path.Combine(run, "run.dryrun.json")));
        Assert.Contains("generated pairs by outcome", await File.ReadAllTextAsync(Path.Combine(run, "report.html")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_finished_stage_is_up_to_date_until_its_input_or_its_output_changes()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedPipeline.Answer(r));
        var dir = TestPaths.TempDir();
        var trajectories = Path.Combine(dir, "trajectories.jsonl");
        File.Copy(Path.Combine(TestPaths.Samples, "trajectories.jsonl"), trajectories);
        var pipeline = Path.Combine(dir, "annotate.yaml");
        await File.WriteAllTextAsync(pipeline, $"inputs:\n  trajectories: {trajectories}\nstages:\n  annotate: {{}}\n");
        string[] args = ["run", pipeline, .. Args(dir, Teacher(teacher))[1..]];
        var first = await PlanactCli.RunAsync(Key, args);
        Assert.True(first.ExitCode == 0, first.Stderr);
        var calls = teacher.Calls;
        var again = await PlanactCli.RunAsync(Key, args);
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Contains("annotate: done: up to date: 17 ok (17 from an earlier run)", again.Stderr, StringComparison.Ordinal);

        // The report's samples of the training data are kept by content: the same page with them, without them, or with stale ones.
        var run = Path.Combine(dir, "run");
        var samples = Path.Combine(run, RecordSamples.FileName);
        var kept = await File.ReadAllTextAsync(samples);
        File.Delete(samples);
        Assert.Equal(0, (await PlanactCli.RunAsync("report", run, "--out", Path.Combine(dir, "counted.html"))).ExitCode);
        Assert.Equal(kept, await File.ReadAllTextAsync(samples));
        await File.WriteAllTextAsync(samples, System.Text.RegularExpressions.Regex.Replace(kept, "\"digest\":\"[0-9a-f]+\"", "\"digest\":\"0\"").Replace("\"tokens\":[", "\"tokens\":[1,", StringComparison.Ordinal));
        Assert.Equal(0, (await PlanactCli.RunAsync("report", run, "--out", Path.Combine(dir, "stale.html"))).ExitCode);
        var page = await File.ReadAllTextAsync(Path.Combine(run, "report.html"));
        Assert.Equal(page, await File.ReadAllTextAsync(Path.Combine(dir, "counted.html")));
        Assert.Equal(page, await File.ReadAllTextAsync(Path.Combine(dir, "stale.html")));

        // A record taken out of the output: the stage runs and makes it again, from the ledger.
        var plans = Path.Combine(run, "plans.jsonl");
        var records = await File.ReadAllLinesAsync(plans);
        await File.WriteAllLinesAsync(plans, records[1..]);
        var mended = await PlanactCli.RunAsync(Key, args);
        Assert.True(mended.ExitCode == 0, mended.Stderr);
        Assert.Contains("annotate: done: 17 ok (16 from an earlier run)", mended.Stderr, StringComparison.Ordinal);
        Assert.Equal(records, await File.ReadAllLinesAsync(plans));
        Assert.Equal(calls, teacher.Calls);

        // An input that changed is read and checked again: a broken line stops the run before anything is asked.
        await File.AppendAllTextAsync(trajectories, "{\"id\": \"broken\"\n");
        var broken = await PlanactCli.RunAsync(Key, args);
        Assert.Equal(3, broken.ExitCode); // bad input
        Assert.Contains("trajectories.jsonl:18", broken.Stderr, StringComparison.Ordinal);
        Assert.Equal(calls, teacher.Calls);
    }

    [Fact]
    public async Task A_generation_stage_whose_input_changed_is_not_up_to_date_and_asks_only_what_is_new()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedPipeline.Answer(r));
        var dir = TestPaths.TempDir();
        var run = Path.Combine(dir, "run");
        var pipeline = Path.Combine(dir, "augment.yaml");
        await File.WriteAllTextAsync(
            pipeline,
            $"inputs:\n  trajectories: {Path.Combine(TestPaths.Samples, "trajectories.jsonl")}\nstages:\n  annotate: {{}}\n  classify:\n    options: {{ classes: {Path.Combine(TestPaths.Samples, "failure-classes.yaml")} }}\n  augment: {{}}\n");
        string[] args = ["run", pipeline, .. Args(dir, Teacher(teacher))[1..]];
        var first = await PlanactCli.RunAsync(Key, args);
        Assert.True(first.ExitCode == 0, first.Stderr);
        var again = await PlanactCli.RunAsync(Key, args);
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Contains("augment: done: up to date", again.Stderr, StringComparison.Ordinal);
        var calls = teacher.Calls;

        // One labelled record's task changes (classify keeps the record: it is done): augment's input is not the one it finished with.
        var labelled = Path.Combine(run, "labelled.jsonl");
        var lines = await File.ReadAllLinesAsync(labelled);
        var target = Array.FindIndex(lines, l => !l.Contains("\"class\":\"Other\"", StringComparison.Ordinal));
        var record = System.Text.Json.Nodes.JsonNode.Parse(lines[target])!;
        record["task"] = record["task"]!.GetValue<string>() + " before noon";
        lines[target] = record.ToJsonString();
        await File.WriteAllLinesAsync(labelled, lines);
        var changed = await PlanactCli.RunAsync(Key, args);

        Assert.True(changed.ExitCode == 0, changed.Stderr);
        Assert.DoesNotContain("augment: done: up to date", changed.Stderr, StringComparison.Ordinal);
        Assert.Contains("augment: done: augment: ", changed.Stderr, StringComparison.Ordinal);
        Assert.Equal(calls + 1, teacher.Calls);
    }

    [Fact]
    public async Task A_cot_pipeline_annotates_acts_and_expands_with_reasoning_exports_it_with_the_planner_mix_and_a_rerun_sends_nothing()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) =>
            ScriptedExecutor.IsExecutorRequest(r) ? ScriptedExecutor.Valid(r)
            : ScriptedPlans.IsDescribe(r) || ScriptedPlans.IsRewrite(r) ? ScriptedPlans.ValidCot(r)
            : ScriptedPipeline.Answer(r));
        var dir = TestPaths.TempDir();
        var run = Path.Combine(dir, "run");
        var pipeline = Path.Combine(dir, "cot.yaml");
        await File.WriteAllTextAsync(
            pipeline,
            $"inputs:\n  trajectories: {Path.Combine(TestPaths.Samples, "trajectories.jsonl")}\nstages:\n  annotate:\n    options: {{ mode: cot }}\n  act:\n    options: {{ cot: true }}\n"
            + "  expand:\n    options: { count: 4, per_request: 2, cot: true }\n"
            + "  export:\n    options: { with_reasoning: true, mix: [planner, synthetic-planner], seed: 3 }\n");

        var first = await PlanactCli.RunAsync(Key, ["run", pipeline, .. Args(dir, Teacher(teacher))[1..]]);
        var calls = teacher.Calls;
        var again = await PlanactCli.RunAsync(Key, ["run", pipeline, .. Args(dir, Teacher(teacher))[1..]]);

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Equal(17, File.ReadAllLines(Path.Combine(run, "plans.cot.jsonl")).Length);
        Assert.Equal(115, File.ReadAllLines(Path.Combine(run, "executor.cot.jsonl")).Length);
        Assert.Equal(4, File.ReadAllLines(Path.Combine(run, "synthetic.cot.jsonl")).Length);
        foreach (var exported in new[] { "executor", "planner", "synthetic-planner", ExportNode.MixName })
        {
            Assert.All(File.ReadAllLines(Path.Combine(run, "export", $"{exported}.openai-chat.jsonl")), line =>
                Assert.StartsWith("<think>", JsonDocument.Parse(line).RootElement.GetProperty("messages").EnumerateArray().Last().GetProperty("content").GetString(), StringComparison.Ordinal));
        }

        Assert.Equal(17 + 4, File.ReadAllLines(Path.Combine(run, "export", "mix.openai-chat.jsonl")).Length);
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Equal(calls, teacher.Calls);
        Assert.Contains("act: done: up to date: 115 ok (115 from an earlier run)", again.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pipeline_with_replan_and_dynamic_act_makes_and_exports_all_four_kinds_of_data()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedReplans.ValidForEither(r));
        var dir = TestPaths.TempDir();
        var run = Path.Combine(dir, "run");
        var pipeline = Path.Combine(dir, "dynamic.yaml");
        await File.WriteAllTextAsync(
            pipeline,
            $"inputs:\n  trajectories: {Path.Combine(TestPaths.Samples, "trajectories.jsonl")}\nstages:\n  export: {{}}\n  dynamic-act: {{}}\n  replan: {{}}\n  act: {{}}\n  annotate: {{}}\n");

        var result = await PlanactCli.RunAsync(Key, ["run", pipeline, .. Args(dir, Teacher(teacher))[1..]]);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("planact: run dynamic (annotate → act → replan → dynamic-act → export)", result.Stderr, StringComparison.Ordinal);
        // A stage's detail lines: what pairing made, and what was built following another stage.
        Assert.Contains("planact: dynamic-act: 115 examples from 17 trajectories ok", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("planact: dynamic-act: built as replan finished each trajectory", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("planact: export: replanner built as replan appended each record", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("planact: export: dynamic-executor built as dynamic-act appended each record", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(17, File.ReadAllLines(Path.Combine(run, "replans.jsonl")).Length);
        Assert.Equal(115, File.ReadAllLines(Path.Combine(run, "dynamic-executor.jsonl")).Length);
        foreach (var kind in new[] { "planner", "executor", "replanner", "dynamic-executor" })
        {
            Assert.NotEmpty(File.ReadAllLines(Path.Combine(run, "export", $"{kind}.openai-chat.jsonl")));
        }

        var report = await File.ReadAllTextAsync(Path.Combine(run, "report.html"));
        Assert.Contains("tokens per replanner record", report, StringComparison.Ordinal);
        Assert.Contains("replan latency", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_flag_runs_the_pipeline_through_the_batch_api_with_the_online_outputs()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedPipeline.Answer(r));
        var online = TestPaths.TempDir();
        var batched = TestPaths.TempDir();

        var first = await PlanactCli.RunAsync(Key, Args(online, Teacher(teacher)));
        var batch = await PlanactCli.RunAsync(Key, Args(batched, [.. Teacher(teacher), "--batch", "--batch-poll", "0.05"]));

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.True(batch.ExitCode == 0, batch.Stderr);
        Assert.Contains("(batch)", batch.Stderr, StringComparison.Ordinal);
        foreach (var file in new[] { "plans.jsonl", "executor.jsonl", "synthetic.jsonl", "labelled.jsonl", "targeted.jsonl", "replans.jsonl", "dynamic-executor.jsonl" })
        {
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(online, "run", file)), await File.ReadAllTextAsync(Path.Combine(batched, "run", file)));
        }
    }

    [Fact]
    public async Task Rejected_answers_and_quarantines_are_counted_by_reason_in_the_stats_and_the_report()
    {
        // The first trajectory's plans never ground it: three rejections, then quarantine; everyone else answers well.
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) =>
            ScriptedPipeline.IsAnnotate(r) && ScriptedPlans.ActionCount(r) == 3 && !ScriptedPlans.IsReask(r)
                ? new LoopbackReply.Answer(ScriptedPlans.BrokenPartition(3))
                : ScriptedPipeline.IsAnnotate(r) && ScriptedPlans.IsReask(r) ? new LoopbackReply.Answer(ScriptedPlans.BrokenPartition(3)) : ScriptedPipeline.Answer(r));
        var dir = TestPaths.TempDir();
        var run = Path.Combine(dir, "run");

        var result = await PlanactCli.RunAsync(Key, Args(dir, Teacher(teacher)));

        Assert.True(result.ExitCode == 4, result.Stderr);
        var stats = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "plans.stats.json"))).RootElement;
        Assert.True(stats.GetProperty("quarantined").GetInt32() > 0);
        Assert.NotEmpty(stats.GetProperty("rejected_by_reason").EnumerateObject());
        Assert.NotEmpty(stats.GetProperty("quarantined_by_reason").EnumerateObject());
        var report = await File.ReadAllTextAsync(Path.Combine(run, "report.html"));
        Assert.Contains("annotate: quarantined:", report, StringComparison.Ordinal);
        Assert.Contains("rejected answers by reason", report, StringComparison.Ordinal);
        Assert.Contains("act: skipped: no annotate output for it", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_killed_mid_annotate_resumes_without_sending_answered_requests_again()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => new LoopbackReply.Delayed(TimeSpan.FromMilliseconds(150), ScriptedPipeline.Answer(r)));
        var reference = TestPaths.TempDir();
        var referenceRun = await PlanactCli.RunAsync(Key, Args(reference, [.. Teacher(teacher), "--concurrency", "3"]));
        Assert.True(referenceRun.ExitCode == 0, referenceRun.Stderr);
        var requests = teacher.Calls;

        var dir = TestPaths.TempDir();
        using (var child = PlanactProcess.Start(Key, Args(dir, [.. Teacher(teacher), "--concurrency", "3"])))
        {
            while (teacher.Calls - requests < 8 && !child.HasExited)
            {
                await Task.Delay(20);
            }

            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
        }

        var ledger = Path.Combine(dir, "ledger.db");
        var committed = await SendsAsync(ledger);
        Assert.InRange(committed.Count, 1, 16);
        var callsBefore = teacher.Calls;
        var resumed = await PlanactCli.RunAsync(Key, Args(dir, [.. Teacher(teacher), "--concurrency", "3"]));

        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        var after = await SendsAsync(ledger);
        Assert.Equal(requests, after.Count);
        Assert.All(committed.Keys, key => Assert.Equal(1, after[key]));
        Assert.InRange(teacher.Calls - callsBefore, requests - committed.Count, requests - committed.Count + 3);
        foreach (var file in new[] { "plans.jsonl", "executor.jsonl", "synthetic.jsonl", "targeted.jsonl", "replans.jsonl", Path.Combine("export", "executor.openai-chat.jsonl"), Path.Combine("export", "synthetic-planner.openai-chat.jsonl") })
        {
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(reference, "run", file)), await File.ReadAllTextAsync(Path.Combine(dir, "run", file)));
        }
    }

    [Fact]
    public async Task A_run_killed_mid_annotate_and_resumed_has_the_statistics_of_an_uninterrupted_run()
    {
        // Plans over an even number of actions are rejected once and then accepted; over 3 actions, never accepted.
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => new LoopbackReply.Delayed(
            TimeSpan.FromMilliseconds(100),
            ScriptedPlans.ActionCount(r) == 3 || (ScriptedPlans.ActionCount(r) % 2 == 0 && !ScriptedPlans.IsReask(r))
                ? new LoopbackReply.Answer(ScriptedPlans.BrokenPartition(ScriptedPlans.ActionCount(r)))
                : ScriptedPlans.Valid(r)));
        var pipeline = Path.Combine(TestPaths.TempDir(), "annotate.yaml");
        await File.WriteAllTextAsync(pipeline, $"inputs:\n  trajectories: {Path.Combine(TestPaths.Samples, "trajectories.jsonl")}\nstages:\n  annotate: {{}}\n");
        string[] Run(string dir) => ["run", pipeline, .. Args(dir, [.. Teacher(teacher), "--concurrency", "2"])[1..]];
        var reference = TestPaths.TempDir();
        var referenceRun = await PlanactCli.RunAsync(Key, Run(reference));
        Assert.True(referenceRun.ExitCode == 4, referenceRun.Stderr);

        var dir = TestPaths.TempDir();
        var plans = Path.Combine(dir, "run", "plans.jsonl");
        var journal = Path.Combine(dir, "run", "plans.rejections.jsonl");
        using (var child = PlanactProcess.Start(Key, Run(dir)))
        {
            // Kill once some items with rejected answers have their records, long before all do.
            while (!child.HasExited && !(File.Exists(journal) && File.ReadAllLines(journal).Length >= 2 && File.ReadAllLines(plans).Length >= 4))
            {
                await Task.Delay(10);
            }

            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
        }

        Assert.InRange(File.ReadAllLines(plans).Length, 4, 15);
        Assert.False(File.Exists(Path.Combine(dir, "run", "plans.stats.json")));
        var resumed = await PlanactCli.RunAsync(Key, Run(dir));

        Assert.True(resumed.ExitCode == 4, resumed.Stderr);
        Assert.Matches(@"\(([1-9]|1[0-5]) from an earlier run\)", resumed.Stderr);
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(reference, "run", "plans.stats.json")));
        using var actual = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "run", "plans.stats.json")));
        Assert.True(expected.RootElement.GetProperty("rejected_by_reason").EnumerateObject().Sum(r => r.Value.GetInt32()) > 3);
        foreach (var count in new[] { "total", "ok", "quarantined", "skipped", "rejected_by_reason", "quarantined_by_reason", "skipped_by_reason" })
        {
            Assert.Equal(expected.RootElement.GetProperty(count).GetRawText(), actual.RootElement.GetProperty(count).GetRawText());
        }
    }

    [Fact]
    public async Task Report_of_a_folder_that_is_not_a_run_directory_is_bad_input()
    {
        var dir = TestPaths.TempDir();

        var result = await PlanactCli.RunAsync("report", dir, "--out", Path.Combine(dir, "report.html"));

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("run.json: cannot read the run manifest", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, "report.html")));
    }

    [Fact]
    public async Task Report_of_a_read_only_copy_of_a_run_reads_the_copy_and_its_ledger_and_writes_only_the_page()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedPlans.Valid(r));
        var dir = TestPaths.TempDir();
        var run = Path.Combine(dir, "run");
        var pipeline = Path.Combine(dir, "annotate.yaml");
        await File.WriteAllTextAsync(pipeline, $"inputs:\n  trajectories: {Path.Combine(TestPaths.Samples, "trajectories.jsonl")}\nstages:\n  annotate: {{}}\n  act: {{}}\n");
        var finished = await PlanactCli.RunAsync(Key, ["run", pipeline, "--run-dir", run, "--ledger", Path.Combine(run, "ledger.db"), .. Teacher(teacher)]);
        Assert.True(finished.ExitCode == 0, finished.Stderr);

        // A copy from "another machine": the original is gone, and every file and folder of the copy is read-only.
        var copy = Path.Combine(dir, "copy");
        foreach (var folder in Directory.GetDirectories(run, "*", SearchOption.AllDirectories).Prepend(run))
        {
            Directory.CreateDirectory(folder.Replace(run, copy, StringComparison.Ordinal));
        }

        foreach (var file in Directory.GetFiles(run, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, file.Replace(run, copy, StringComparison.Ordinal));
        }

        Directory.Delete(run, recursive: true);
        var entries = Directory.GetFileSystemEntries(copy, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        SetWritable(copy, writable: false);
        try
        {
            var report = Path.Combine(dir, "r.html");
            var result = await PlanactCli.RunAsync("report", copy, "--out", report);

            Assert.True(result.ExitCode == 0, result.Stderr);
            var html = await File.ReadAllTextAsync(report);
            Assert.Contains("<figcaption>annotate latency</figcaption><svg class=\"chart\"", html, StringComparison.Ordinal);
            Assert.Contains("<figcaption>steps per plan</figcaption><svg class=\"chart\"", html, StringComparison.Ordinal);
            Assert.Contains("<figcaption>trajectories per site</figcaption><svg class=\"chart\"", html, StringComparison.Ordinal);
            Assert.Equal(entries, Directory.GetFileSystemEntries(copy, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));

            // Without its ledger the copy still has a report, which says what it cannot show.
            SetWritable(copy, writable: true);
            File.Delete(Path.Combine(copy, "ledger.db"));
            SetWritable(copy, writable: false);
            var withoutLedger = await PlanactCli.RunAsync("report", copy, "--out", report);
            Assert.True(withoutLedger.ExitCode == 0, withoutLedger.Stderr);
            html = await File.ReadAllTextAsync(report);
            Assert.Contains("ledger.db is not here, so there is no latency chart", html, StringComparison.Ordinal);
            Assert.Contains("<figcaption>tokens per stage</figcaption><svg class=\"chart\"", html, StringComparison.Ordinal);
        }
        finally
        {
            SetWritable(copy, writable: true);
        }
    }

    /// <summary>
    /// chmod of every file and folder under <paramref name="root"/>. Root ignores the modes, so there the test checks
    /// everything except that the report copes with files it cannot write.
    /// </summary>
    private static void SetWritable(string root, bool writable)
    {
        if (OperatingSystem.IsWindows())
        {
            foreach (var file in Directory.GetFiles(root, "*", SearchOption.AllDirectories))
            {
                File.SetAttributes(file, writable ? FileAttributes.Normal : FileAttributes.ReadOnly);
            }

            return;
        }

        const UnixFileMode ReadOnly = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        const UnixFileMode Search = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        foreach (var file in Directory.GetFiles(root, "*", SearchOption.AllDirectories))
        {
            File.SetUnixFileMode(file, ReadOnly | (writable ? UnixFileMode.UserWrite : 0));
        }

        foreach (var folder in Directory.GetDirectories(root, "*", SearchOption.AllDirectories).Prepend(root))
        {
            File.SetUnixFileMode(folder, ReadOnly | Search | (writable ? UnixFileMode.UserWrite : 0));
        }
    }

    [Fact]
    public async Task A_pipeline_that_names_an_unknown_stage_or_option_is_bad_input_with_its_file()
    {
        var dir = TestPaths.TempDir();
        var pipeline = Path.Combine(dir, "pipeline.yaml");
        await File.WriteAllTextAsync(pipeline, $"inputs:\n  trajectories: {Path.Combine(TestPaths.Samples, "trajectories.jsonl")}\nstages:\n  annotate:\n    options: {{ max_page_tokenz: 10 }}\n");

        var unknownOption = await PlanactCli.RunAsync("run", pipeline, "--ledger", Path.Combine(dir, "ledger.db"));
        await File.WriteAllTextAsync(pipeline, "stages:\n  act: {}\n");
        var missingRequirement = await PlanactCli.RunAsync("run", pipeline, "--ledger", Path.Combine(dir, "ledger.db"));

        Assert.Equal(3, unknownOption.ExitCode);
        Assert.Contains("pipeline.yaml: stages.annotate.options.max_page_tokenz: unknown option", unknownOption.Stderr, StringComparison.Ordinal);
        Assert.Equal(3, missingRequirement.ExitCode);
        Assert.Contains("stages.act needs stage annotate", missingRequirement.Stderr, StringComparison.Ordinal);
    }
}

/// <summary>--otel console: spans of teacher calls and stages, PlanAct counters and the run's log records, all with the run id.</summary>
public class TelemetryCliTests
{
    [Fact]
    public async Task Otel_console_exports_teacher_spans_metrics_and_logs_with_the_run_id()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedPipeline.Answer(r));
        var dir = TestPaths.TempDir();
        var run = Path.Combine(dir, "run");

        var result = await PlanactProcess.RunAsync(
            new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-test-SECRET-3" },
            "run", "--run-dir", run, "--ledger", Path.Combine(dir, "ledger.db"), "--base-url", teacher.BaseUrl.ToString(), "--model", "loopback-model", "--otel", "console");
        var quiet = await PlanactProcess.RunAsync("run", "--run-dir", Path.Combine(dir, "quiet"), "--ledger", Path.Combine(dir, "quiet.db"));
        var bad = await PlanactProcess.RunAsync("run", "--run-dir", Path.Combine(dir, "bad"), "--ledger", Path.Combine(dir, "bad.db"), "--otel", "zipkin");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var runId = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "run.json"))).RootElement.GetProperty("run_id").GetString()!;
        Assert.Contains("chat loopback-model", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("planact.stage annotate", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("planact.teacher.answers", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("planact.teacher.tokens", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("gen_ai.client.operation.duration", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"stage act Done", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(runId, result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Activity.", quiet.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, bad.ExitCode);
    }
}
