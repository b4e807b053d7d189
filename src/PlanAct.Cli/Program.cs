using System.CommandLine;
using PlanAct.Cli.Commands;

namespace PlanAct.Cli;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var parse = BuildRoot().Parse(args);
        var code = await parse.InvokeAsync();

        // System.CommandLine reports parse errors (then shows help) with exit code 1; ours is ExitCodes.Usage.
        return parse.Errors.Count > 0 ? ExitCodes.Usage : code;
    }

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("planact: Plan-and-Act training data from web-agent trajectories.\n\nExample:\n  planact run\n  planact inspect samples/webarena-lite-sft.json");
        root.Subcommands.Add(RunCommand.Build());
        root.Subcommands.Add(ReportCommand.Build());
        root.Subcommands.Add(MergeCommand.Build());
        root.Subcommands.Add(InspectCommand.Build());
        root.Subcommands.Add(ConvertCommand.Build());
        root.Subcommands.Add(AnnotateCommand.Build());
        root.Subcommands.Add(ReplanCommand.Build());
        root.Subcommands.Add(BatchCommand.Build());
        root.Subcommands.Add(ActCommand.Build());
        root.Subcommands.Add(ActCommand.BuildDynamic());
        root.Subcommands.Add(TasksCommand.Build());
        root.Subcommands.Add(ExpandCommand.Build());
        root.Subcommands.Add(ClassifyCommand.Build());
        root.Subcommands.Add(AugmentCommand.Build());
        root.Subcommands.Add(ExportCommand.Build());
        root.Subcommands.Add(PromptCommand.BuildPrompt());
        root.Subcommands.Add(PromptCommand.BuildParse());
        return root;
    }
}
