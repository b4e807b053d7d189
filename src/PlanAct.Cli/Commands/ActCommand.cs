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
            var pairing = await PlanPairing.LoadPlansAsync(parse.GetValue(plans)!, problems, ct);
            var builder = new ExecutorExamples(new ExamplePageOptions { MaxPageTokens = parse.GetValue(maxPageTokens) });
            var trajectories = TrajectoryFiles.ReadAsync(inputPath, new TrajectoryReadOptions { Problems = problems }, ct);
            var planned = 0;
            var examples = pairing.PairPlansAsync(trajectories, inputPath, problems, ct).SelectMany(item =>
            {
                planned++;
                return builder.Build(item).ToAsyncEnumerable();
            });
            var count = await ExampleJsonl.WriteAsync(outputPath, examples, ct);
            CommandRunner.ReportProblems(problems.Problems);
            Console.Error.WriteLine(
                $"planact: act: {count} examples from {planned} trajectories ok, {pairing.TrajectoriesWithoutRecord.Count} trajectories skipped without a plan, "
                + $"{pairing.RecordsWithoutTrajectory.Count} plans without a trajectory, {problems.ErrorCount} skipped as invalid, "
                + $"{builder.PagesCut} pages cut to {parse.GetValue(maxPageTokens)} tokens -> {outputPath}");
            return problems.ErrorCount > 0 ? ExitCodes.InvalidItemsSkipped : ExitCodes.Ok;
        }, ct));
        return command;
    }
}
