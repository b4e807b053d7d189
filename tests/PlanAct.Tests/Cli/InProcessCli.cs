using PlanAct.Cli;

namespace PlanAct.Tests.Cli;

/// <summary>
/// Runs the <c>planact</c> command tree in this process with its console captured: for suites of many short runs (a
/// child process costs a runtime start each). The console is the process's, so every test that uses it belongs to
/// the <see cref="InProcessCliCollection"/>, which runs alone.
/// </summary>
internal static class InProcessCli
{
    public static async Task<PlanactProcess.Result> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var (oldOut, oldError) = (Console.Out, Console.Error);
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            var code = await Program.Main(args);
            return new PlanactProcess.Result(code, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
        }
    }

    /// <summary>What every run must never show: an exception that reached System.CommandLine (exit 1, "Unhandled exception").</summary>
    public static void AssertHandled(PlanactProcess.Result result, string what)
    {
        Assert.False(result.ExitCode == ExitCodes.InternalError, $"{what}: exit 1: {result.Stderr}");
        Assert.DoesNotContain("Unhandled exception", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }
}

/// <summary>The tests that drive the command tree in this process: one at a time, after the parallel ones.</summary>
[CollectionDefinition(nameof(InProcessCliCollection), DisableParallelization = true)]
public sealed class InProcessCliCollection;
