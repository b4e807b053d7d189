using System.CommandLine;
using PlanAct.IO;
using PlanAct.Stages.Act;
using PlanAct.Training;
using PlanAct.Trajectories;

namespace PlanAct.Cli.Commands;

internal static class ActCommand
{
    public static Command Build()
    {
        var input = new Option<string>("--input") { Description = "Trajectories: a WebArena-Lite SFT .json, a planact .jsonl, or a folder of them.", Required = true };
        var plans = new Option<string>("--plans") { Description = "Plan records (planact/plan@1 JSONL); a plan is matched to the trajectory with its id.", Required = true };
        var output = new Option<string>("--out") { Description = "The executor examples to write (planact/example@1 JSONL, written whole or not at all).", Required = true };
        var maxPageTokens = CommandOptions.MaxPageTokens("the current page of each executor example");
        var skipInvalid = new Option<bool>("--skip-invalid") { Description = "Report invalid trajectories and plans and use the rest, instead of stopping." };
        var command = new Command("act", "Make executor examples: one per step of every trajectory that has a plan, the plan in the system message and the ground-truth action as target.\n\nExample:\n  planact act --input samples/trajectories.jsonl --plans plans.jsonl --out executor.jsonl")
        {
            input, plans, output, maxPageTokens, skipInvalid,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(async () =>
        {
            var problems = new ProblemLog(parse.GetValue(skipInvalid));
            var inputPath = parse.GetValue(input)!;
            var outputPath = parse.GetValue(output)!;
            var trajectories = TrajectoryFiles.ReadAsync(inputPath, new TrajectoryReadOptions { Problems = problems }, ct);
            var options = new ExamplePageOptions { MaxPageTokens = parse.GetValue(maxPageTokens) };
            var report = await ActRun.WriteAsync(trajectories, inputPath, parse.GetValue(plans)!, outputPath, options, problems, ct);
            CommandRunner.ReportProblems(problems.Problems);
            Console.Error.WriteLine(
                $"planact: act: {report.Examples} examples from {report.Planned} trajectories ok, {report.TrajectoriesWithoutPlan.Count} trajectories skipped without a plan, "
                + $"{report.PlansWithoutTrajectory.Count} plans without a trajectory, {problems.ErrorCount} skipped as invalid, "
                + $"{report.PagesCut} pages cut to {options.MaxPageTokens} tokens -> {outputPath}");
            return problems.ErrorCount > 0 ? ExitCodes.InvalidItemsSkipped : ExitCodes.Ok;
        }, ct));
        return command;
    }
}
