using System.Diagnostics;
using PlanAct.IO;

namespace PlanAct.Tests.Cli;

/// <summary>One writer per ledger and output: a second process refuses at once (exit 6) and a killed holder blocks nothing.</summary>
public class WriterLockCliTests
{
    private static readonly string Samples = Path.Combine("samples", "trajectories.jsonl");

    [Fact]
    public async Task A_second_process_on_a_held_ledger_refuses_naming_the_holder_and_writes_nothing()
    {
        var dir = TestPaths.TempDir();
        var ledger = Path.Combine(dir, "ledger.db");
        using (WriterLock.Acquire(ledger))
        {
            var refused = await PlanactProcess.RunAsync("annotate", "--input", Samples, "--out", Path.Combine(dir, "plans.jsonl"), "--ledger", ledger, "--dry-run");
            Assert.Equal(6, refused.ExitCode);
            Assert.Contains($"is being written by another planact process (pid {Environment.ProcessId} on {Environment.MachineName}, since ", refused.Stderr, StringComparison.Ordinal);
            Assert.False(File.Exists(ledger));
        }

        var after = await PlanactProcess.RunAsync("annotate", "--input", Samples, "--out", Path.Combine(dir, "plans.jsonl"), "--ledger", ledger, "--dry-run");
        Assert.True(after.ExitCode == 0, after.Stderr);
    }

    [Fact]
    public async Task A_lock_left_by_a_killed_process_is_released_by_the_operating_system()
    {
        var dir = TestPaths.TempDir();
        var ledger = Path.Combine(dir, "ledger.db");
        var held = await HoldAsync(ledger + ".lock");
        try
        {
            var refused = await PlanactProcess.RunAsync("annotate", "--input", Samples, "--out", Path.Combine(dir, "plans.jsonl"), "--ledger", ledger, "--dry-run");
            Assert.Equal(6, refused.ExitCode);
        }
        finally
        {
            held.Kill(entireProcessTree: true);
            await held.WaitForExitAsync();
        }

        var after = await PlanactProcess.RunAsync("annotate", "--input", Samples, "--out", Path.Combine(dir, "plans.jsonl"), "--ledger", ledger, "--dry-run");
        Assert.True(after.ExitCode == 0, after.Stderr);
    }

    [Fact]
    public async Task A_stage_output_written_by_another_process_is_refused_before_anything_is_read_or_cut()
    {
        var output = Path.Combine(TestPaths.TempDir(), "plans.jsonl");
        await File.WriteAllTextAsync(output, "{\"id\": \"a\"}\n{\"id\": \"b\"");
        var held = await HoldAsync(output + ".lock");
        try
        {
            await Assert.ThrowsAsync<WriterLockedException>(() => ResumableJsonl.OpenAsync(output, IdLines.IdOf));
            Assert.Equal("{\"id\": \"a\"}\n{\"id\": \"b\"", await File.ReadAllTextAsync(output));
        }
        finally
        {
            held.Kill(entireProcessTree: true);
            await held.WaitForExitAsync();
        }

        await using var reopened = await ResumableJsonl.OpenAsync(output, IdLines.IdOf);
        Assert.Equal(["a"], reopened.Done);
    }

    [Fact]
    public void Within_one_process_the_lock_is_shared_and_released_with_its_last_holder()
    {
        var path = Path.Combine(TestPaths.TempDir(), "out.jsonl");
        var first = WriterLock.Acquire(path);
        var second = WriterLock.Acquire(path);
        first.Dispose();
        first.Dispose();
        Assert.Throws<IOException>(() => new FileStream(path + ".lock", FileMode.Open, FileAccess.ReadWrite, FileShare.None).Dispose());
        second.Dispose();
        new FileStream(path + ".lock", FileMode.Open, FileAccess.ReadWrite, FileShare.None).Dispose();
    }

    /// <summary>Another process (flock(1)) holding the exclusive lock until it is killed.</summary>
    private static async Task<Process> HoldAsync(string lockPath)
    {
        var start = new ProcessStartInfo("flock") { RedirectStandardOutput = true };
        foreach (var arg in new[] { "--exclusive", "--close", lockPath, "sh", "-c", "echo held; sleep 120" })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        Assert.Equal("held", await process.StandardOutput.ReadLineAsync());
        return process;
    }
}
