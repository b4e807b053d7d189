using System.Diagnostics;
using Microsoft.Data.Sqlite;
using PlanAct.Loopback;

namespace PlanAct.Tests.Cli;

/// <summary>`planact annotate` as a real child process against the loopback teacher, including a kill -9 mid-run.</summary>
public class AnnotateCliTests
{
    private static readonly string Samples = Path.Combine("samples", "trajectories.jsonl");

    private static string[] Args(LoopbackTeacher teacher, string dir, string outPath, params string[] more) =>
    [
        "annotate", "--input", Samples, "--out", outPath,
        "--base-url", teacher.BaseUrl.ToString(), "--model", "loopback-model", "--ledger", Path.Combine(dir, "ledger.db"),
        .. more,
    ];

    private static IReadOnlyDictionary<string, string> Key => new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-test-SECRET-7" };

    private static async Task<Dictionary<string, int>> CommittedSendsAsync(string ledger)
    {
        var sends = new Dictionary<string, int>();
        await using var connection = new SqliteConnection($"Data Source={ledger};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT q.key, q.sends FROM requests q JOIN responses r ON r.key = q.key";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            sends[reader.GetString(0)] = reader.GetInt32(1);
        }

        return sends;
    }

    [Fact]
    public async Task Annotate_writes_plans_prints_counts_and_a_rerun_sends_nothing()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedPlans.Valid(r));
        var dir = TestPaths.TempDir();
        var outPath = Path.Combine(dir, "plans.jsonl");

        var first = await PlanactCli.RunAsync(Key, Args(teacher, dir, outPath));
        var again = await PlanactCli.RunAsync(Key, Args(teacher, dir, outPath));

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains("annotate: 17 ok (0 from an earlier run), 0 quarantined, 0 skipped", first.Stderr, StringComparison.Ordinal);
        Assert.Contains("17 sent", first.Stderr, StringComparison.Ordinal);
        Assert.Contains("planact: annotate 17/17 (ok 17, resumed 0, quarantined 0, skipped 0)", first.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("17 ok (17 from an earlier run)", again.Stderr, StringComparison.Ordinal);
        Assert.Equal(17, teacher.Calls);
        Assert.Equal(17, File.ReadAllLines(outPath).Length);
        Assert.DoesNotContain("SECRET", first.Stderr + first.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dry_run_without_a_teacher_prints_the_estimate_and_writes_nothing()
    {
        var dir = TestPaths.TempDir();
        var outPath = Path.Combine(dir, "plans.jsonl");

        var result = await PlanactCli.RunAsync("annotate", "--input", Samples, "--out", outPath, "--ledger", Path.Combine(dir, "ledger.db"), "--dry-run");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("17 requests to send", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("no teacher is configured", result.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"with no model named, the requests would cost: gpt-4o-mini \$0\.\d{4} online, \$0\.\d{4} batch; gpt-4\.1-mini \$\d+\.\d+ online, \$\d+\.\d+ batch; gpt-4o \$\d+\.\d+ online", result.Stdout);
        Assert.Contains("(read only)", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir)); // no output, no ledger, no lock files
    }

    [Fact]
    public async Task Dry_run_prices_the_estimate_online_and_at_the_configured_batch_discount()
    {
        var dir = TestPaths.TempDir();
        var config = Path.Combine(dir, "teacher.yaml");
        await File.WriteAllTextAsync(config, "prices:\n  batch_discount: 0.25\n  models:\n    my-model: { input: 100, output: 100 }\n");

        var result = await PlanactCli.RunAsync(
            "annotate", "--input", Samples, "--out", Path.Combine(dir, "plans.jsonl"), "--ledger", Path.Combine(dir, "ledger.db"), "--config", config, "--model", "my-model", "--dry-run");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var line = System.Text.RegularExpressions.Regex.Match(result.Stdout, @"annotate my-model: 17 requests, .*: online \$(?<online>[\d.]+), batch \$(?<batch>[\d.]+)");
        Assert.True(line.Success, result.Stdout);
        var online = decimal.Parse(line.Groups["online"].Value, System.Globalization.CultureInfo.InvariantCulture);
        var batch = decimal.Parse(line.Groups["batch"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(online, 1m, 20m);
        Assert.InRange(batch, (online * 0.25m) - 0.01m, (online * 0.25m) + 0.01m);
        Assert.Contains($"total: online ${line.Groups["online"].Value}, batch ${line.Groups["batch"].Value}", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_teacher_a_real_run_says_how_to_configure_one()
    {
        var dir = TestPaths.TempDir();
        var result = await PlanactCli.RunAsync("annotate", "--input", Samples, "--out", Path.Combine(dir, "plans.jsonl"), "--ledger", Path.Combine(dir, "ledger.db"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("PLANACT_MODEL", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Max_cost_stops_with_exit_5_and_a_rerun_resumes()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedPlans.Valid(r));
        var dir = TestPaths.TempDir();
        var config = Path.Combine(dir, "teacher.yaml");
        await File.WriteAllTextAsync(config, "teacher:\n  concurrency: 1\nprices:\n  models:\n    loopback-model: { input: 1.0, output: 2.0 }\n");
        var outPath = Path.Combine(dir, "plans.jsonl");

        var stopped = await PlanactCli.RunAsync(Key, Args(teacher, dir, outPath, "--config", config, "--max-cost", "0.005"));
        var callsWithinBudget = teacher.Calls;

        // The budget counts what earlier runs spent: running again (as a crash loop would) spends nothing more ...
        var again = await PlanactCli.RunAsync(Key, Args(teacher, dir, outPath, "--config", config, "--max-cost", "0.005"));
        Assert.True(again.ExitCode == 5, again.Stderr);
        Assert.Contains("by earlier runs", again.Stderr, StringComparison.Ordinal);
        Assert.Equal(callsWithinBudget, teacher.Calls);

        // ... while --max-cost-this-run counts only this process's spending.
        var thisRun = await PlanactCli.RunAsync(Key, Args(teacher, dir, outPath, "--config", config, "--max-cost-this-run", "0.005"));
        Assert.True(thisRun.ExitCode == 5, thisRun.Stderr);
        Assert.InRange(teacher.Calls, callsWithinBudget + 1, 16);
        var both = await PlanactCli.RunAsync(Key, Args(teacher, dir, outPath, "--config", config, "--max-cost", "1", "--max-cost-this-run", "1"));
        Assert.Equal(2, both.ExitCode);

        var resumed = await PlanactCli.RunAsync(Key, Args(teacher, dir, outPath, "--config", config));

        Assert.True(stopped.ExitCode == 5, stopped.Stderr);
        Assert.InRange(callsWithinBudget, 1, 16);
        Assert.Contains("budget", stopped.Stderr, StringComparison.Ordinal);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Equal(17, File.ReadAllLines(outPath).Length);
        Assert.Equal(17, teacher.Calls);
    }

    [Fact]
    public async Task A_kill_9_mid_run_loses_no_committed_answer_and_the_resume_ends_with_the_same_output()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => new LoopbackReply.Delayed(TimeSpan.FromMilliseconds(150), ScriptedPlans.Valid(r)));

        var (committed, after, sent) = await KillAndResumeAsync(teacher, async (callsBefore, child) =>
        {
            while (teacher.Calls - callsBefore < 8 && !child.HasExited)
            {
                await Task.Delay(20);
            }
        });

        Assert.InRange(committed.Count, 1, 16);
        Assert.All(committed.Keys, key => Assert.Equal(1, after[key]));

        // Only what was in flight at the kill is sent again.
        Assert.InRange(sent, 17, 17 + 3);
    }

    [Fact]
    public async Task A_kill_9_the_moment_an_answer_has_arrived_before_its_group_commit_resends_only_what_was_in_flight()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var signalled = -1;
        await using var teacher = await LoopbackTeacher.StartAsync((r, call) =>
        {
            var answer = new LoopbackReply.Delayed(TimeSpan.FromMilliseconds(150), ScriptedPlans.Valid(r));
            return call == Volatile.Read(ref signalled) ? new LoopbackReply.ThenSignal(answer, () => arrived.TrySetResult()) : answer;
        });

        // The seventh answer is complete on the wire: the client is reading it, and its commit has yet to happen.
        var (committed, after, sent) = await KillAndResumeAsync(teacher, async (callsBefore, _) =>
        {
            Volatile.Write(ref signalled, callsBefore + 6);
            await arrived.Task.WaitAsync(TimeSpan.FromMinutes(2));
        });

        // An answer committed before the kill was never asked again; of the rest, only what was in flight at the kill
        // (at most the concurrency, the arrived answer among them when its commit had not happened) was sent twice.
        Assert.All(committed.Keys, key => Assert.Equal(1, after[key]));
        Assert.InRange(sent, 17, 17 + 3);
        Assert.InRange(after.Values.Count(sends => sends == 2), 0, 3);
    }

    /// <summary>
    /// Annotates the samples once uninterrupted, then in a child process killed with SIGKILL once <paramref name="untilKill"/>
    /// (given the teacher's calls before the child and the child) returns, then resumes; checks the resumed output equals
    /// the uninterrupted one and every request has its answer. Gives the sends of the answers committed before the kill,
    /// all sends after the resume and the requests the interrupted and resumed runs sent together.
    /// </summary>
    private static async Task<(Dictionary<string, int> Committed, Dictionary<string, int> After, int Sent)> KillAndResumeAsync(
        LoopbackTeacher teacher, Func<int, Process, Task> untilKill)
    {
        var dir = TestPaths.TempDir();
        var reference = Path.Combine(dir, "reference.jsonl");
        var referenceRun = await PlanactCli.RunAsync(Key, Args(teacher, Path.Combine(dir, "a"), reference, "--concurrency", "3"));
        Assert.True(referenceRun.ExitCode == 0, referenceRun.Stderr);
        var callsBefore = teacher.Calls;

        var ledger = Path.Combine(dir, "b", "ledger.db");
        var outPath = Path.Combine(dir, "plans.jsonl");
        using (var child = PlanactProcess.Start(Key, Args(teacher, Path.Combine(dir, "b"), outPath, "--concurrency", "3")))
        {
            await untilKill(callsBefore, child);
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
        }

        var committed = await CommittedSendsAsync(ledger);
        var resumed = await PlanactCli.RunAsync(Key, Args(teacher, Path.Combine(dir, "b"), outPath, "--concurrency", "3"));

        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Equal(await File.ReadAllTextAsync(reference), await File.ReadAllTextAsync(outPath));
        var after = await CommittedSendsAsync(ledger);
        Assert.Equal(17, after.Count);
        return (committed, after, teacher.Calls - callsBefore);
    }

    [Fact]
    public async Task Batch_flag_runs_the_whole_cycle_and_gives_the_online_output()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedPlans.Valid(r));
        var dir = TestPaths.TempDir();
        var online = Path.Combine(dir, "online.jsonl");
        var batched = Path.Combine(dir, "batched.jsonl");

        var first = await PlanactCli.RunAsync(Key, Args(teacher, Path.Combine(dir, "a"), online));
        var second = await PlanactCli.RunAsync(Key, Args(teacher, Path.Combine(dir, "b"), batched, "--batch", "--batch-poll", "0.05"));

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Contains("(batch)", second.Stderr, StringComparison.Ordinal);
        Assert.Single(teacher.Batches);
        Assert.Equal(await File.ReadAllTextAsync(online), await File.ReadAllTextAsync(batched));
    }

    [Fact]
    public async Task Batch_prepare_submit_status_collect_then_annotate_sends_nothing_more()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedPlans.Valid(r), _ => new LoopbackBatchPlan(PollsInProgress: 1));
        var dir = TestPaths.TempDir();
        var outPath = Path.Combine(dir, "plans.jsonl");
        var requests = Path.Combine(dir, "requests");
        string[] connection = ["--base-url", teacher.BaseUrl.ToString(), "--model", "loopback-model", "--ledger", Path.Combine(dir, "ledger.db"), "--batch-poll", "0.05"];

        var prepared = await PlanactCli.RunAsync(Key, ["batch", "prepare", .. Args(teacher, dir, outPath, "--dir", requests)]);
        Assert.True(prepared.ExitCode == 0, prepared.Stderr);
        Assert.Equal(17, File.ReadAllLines(Directory.GetFiles(requests).Single()).Length);
        Assert.Equal(0, teacher.Calls);

        var submitted = await PlanactCli.RunAsync(Key, ["batch", "submit", .. Args(teacher, dir, outPath)]);
        Assert.True(submitted.ExitCode == 0, submitted.Stderr);
        Assert.Contains("submitted 17 of 17", submitted.Stdout, StringComparison.Ordinal);

        var status = await PlanactCli.RunAsync(Key, ["batch", "status", .. connection]);
        Assert.Contains("in_progress", status.Stdout, StringComparison.Ordinal);

        var collected = await PlanactCli.RunAsync(Key, ["batch", "collect", "--wait", .. connection]);
        Assert.True(collected.ExitCode == 0, collected.Stderr);
        Assert.Contains("collected 17 answers", collected.Stdout, StringComparison.Ordinal);

        var annotated = await PlanactCli.RunAsync(Key, Args(teacher, dir, outPath));
        Assert.True(annotated.ExitCode == 0, annotated.Stderr);
        Assert.Contains("0 sent, 17 from ledger", annotated.Stderr, StringComparison.Ordinal);
        Assert.Equal(17, File.ReadAllLines(outPath).Length);
        Assert.Equal(17, teacher.Calls);
    }

    [Fact]
    public async Task Batch_cancel_cancels_the_open_batches()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedPlans.Valid(r), _ => new LoopbackBatchPlan(PollsInProgress: 100));
        var dir = TestPaths.TempDir();
        var outPath = Path.Combine(dir, "plans.jsonl");
        string[] connection = ["--base-url", teacher.BaseUrl.ToString(), "--model", "loopback-model", "--ledger", Path.Combine(dir, "ledger.db")];
        await PlanactCli.RunAsync(Key, ["batch", "submit", .. Args(teacher, dir, outPath)]);

        var cancelled = await PlanactCli.RunAsync(Key, ["batch", "cancel", .. connection]);

        Assert.True(cancelled.ExitCode == 0, cancelled.Stderr);
        Assert.Contains("cancel", cancelled.Stdout, StringComparison.Ordinal);
        Assert.Contains(teacher.Batches, b => b.Status is "cancelling" or "cancelled");
    }
}
