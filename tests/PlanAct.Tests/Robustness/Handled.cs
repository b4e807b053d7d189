using PlanAct.Cli;
using PlanAct.Tests.Cli;

namespace PlanAct.Tests.Robustness;

/// <summary>What no run of the command line may ever show: an exception that reached System.CommandLine.</summary>
internal static class Handled
{
    public static bool By(PlanactProcess.Result result) =>
        result.ExitCode != ExitCodes.InternalError
        && !result.Stderr.Contains("Unhandled exception", StringComparison.Ordinal)
        && !result.Stderr.Contains("   at ", StringComparison.Ordinal);

    public static void Assert(PlanactProcess.Result result, string what) =>
        Xunit.Assert.True(By(result), $"{what}: exit {result.ExitCode}: {result.Stderr}");
}
