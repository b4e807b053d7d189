using System.CommandLine;
using PlanAct.Cli;

namespace PlanAct.Tests.Cli;

/// <summary>The dotnet tool as users get it, and the help every command owes them.</summary>
public class PackagingTests
{
    private static IEnumerable<Command> AllCommands(Command command) => command.Subcommands.SelectMany(AllCommands).Prepend(command);

    private static Task<(int Code, string Output)> RunAsync(string file, string workingDirectory, params string[] args) =>
        PlanactProcess.RunProgramAsync(file, workingDirectory, TimeSpan.FromMinutes(5), args);

    [Fact]
    public void Every_command_has_help_with_an_example()
    {
        var commands = AllCommands(Program.BuildRoot()).Where(c => c.Subcommands.Count == 0 || c is RootCommand).ToList();

        Assert.Contains(commands, c => c.Name == "run");
        Assert.Contains(commands, c => c.Name == "report");
        Assert.Contains(commands, c => c.Name == "merge");
        Assert.All(commands, c => Assert.True(c.Description?.Contains("\n\nExample:\n  planact", StringComparison.Ordinal) == true, $"{c.Name} has no example in its help"));
    }

    [Fact]
    public async Task Dotnet_pack_yields_the_planact_tool_which_installs_from_the_local_package_and_runs_the_samples()
    {
        var dir = TestPaths.TempDir();
        var project = Path.Combine(TestPaths.Root, "src", "PlanAct.Cli");

        // Its own configuration, so packing never rewrites binaries that other tests are running.
        var pack = await RunAsync("dotnet", TestPaths.Root, "pack", project, "-c", "ToolCheck", "-o", Path.Combine(dir, "nupkg"), "--nologo");
        Assert.True(pack.Code == 0, pack.Output);
        var install = await RunAsync("dotnet", dir, "tool", "install", "PlanAct.Cli", "--tool-path", Path.Combine(dir, "tools"), "--add-source", Path.Combine(dir, "nupkg"), "--version", "0.1.0");
        Assert.True(install.Code == 0, install.Output);

        var planact = Path.Combine(dir, "tools", "planact");
        var help = await RunAsync(planact, TestPaths.Root, "run", "--help");
        var run = await RunAsync(planact, TestPaths.Root, "run", "--run-dir", Path.Combine(dir, "run"), "--ledger", Path.Combine(dir, "ledger.db"));

        Assert.Equal(0, help.Code);
        Assert.Contains("Example:", help.Output, StringComparison.Ordinal);
        Assert.True(run.Code == 0, run.Output);
        Assert.Contains("dry run: 17 requests to send", run.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dir, "run", "report.html")));
    }
}
