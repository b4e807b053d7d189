using System.CommandLine;
using PlanAct.Cli.Commands;
using PlanAct.Stages.Catalogue;

namespace PlanAct.Cli;

internal static class Program
{
    public static Task<int> Main(string[] args) => RunAsync(args, CliConsole.Process(args), inProcess: false);

    /// <summary>
    /// Runs one command line with <paramref name="console"/> as its streams and environment. In-process callers (tests)
    /// leave Ctrl-C to their host and pass <paramref name="cancellationToken"/> instead.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, CliConsole console, bool inProcess = true, CancellationToken cancellationToken = default)
    {
        using var current = CliConsole.Use(console);
        var parse = BuildRoot().Parse(args);
        var invocation = new InvocationConfiguration { Output = console.Out, Error = console.Error };
        if (inProcess)
        {
            invocation.ProcessTerminationTimeout = null;
        }

        var code = await parse.InvokeAsync(invocation, cancellationToken);

        // System.CommandLine reports parse errors (then shows help) with exit code 1; ours is ExitCodes.Usage.
        return parse.Errors.Count > 0 ? ExitCodes.Usage : code;
    }

    public static RootCommand BuildRoot() => BuildRoot(StageCatalogue.Default);

    /// <summary>The command tree: a command (and batch subcommands) for every stage of <paramref name="catalogue"/>, and the rest.</summary>
    public static RootCommand BuildRoot(StageCatalogue catalogue)
    {
        var root = new RootCommand("planact: Plan-and-Act training data from web-agent trajectories.\n\nExample:\n  planact run\n  planact inspect samples/webarena-lite-sft.json");
        root.Subcommands.Add(RunCommand.Build());
        root.Subcommands.Add(ReportCommand.Build());
        root.Subcommands.Add(MergeCommand.Build());
        root.Subcommands.Add(InspectCommand.Build());
        root.Subcommands.Add(ConvertCommand.Build());
        foreach (var stage in catalogue.Stages)
        {
            root.Subcommands.Add(StageCommand.Build(stage, StageInvocation.Run));
        }

        root.Subcommands.Add(BatchCommand.Build(catalogue));
        root.Subcommands.Add(TasksCommand.Build());
        root.Subcommands.Add(ExportCommand.Build());
        root.Subcommands.Add(PromptCommand.BuildPrompt());
        root.Subcommands.Add(PromptCommand.BuildParse());
        return root;
    }
}
