using System.CommandLine;
using PlanAct.Cli.Commands;

namespace PlanAct.Cli;

public static class Program
{
    public static Task<int> Main(string[] args) => BuildRoot().Parse(args).InvokeAsync();

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("planact: Plan-and-Act training data from web-agent trajectories.\n\nExample:\n  planact inspect samples/webarena-lite-sft.json");
        root.Subcommands.Add(InspectCommand.Build());
        root.Subcommands.Add(ConvertCommand.Build());
        root.Subcommands.Add(AnnotateCommand.Build());
        return root;
    }
}
