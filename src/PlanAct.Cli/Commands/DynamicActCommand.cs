using System.CommandLine;
using PlanAct.IO;
using PlanAct.Stages.Act;
using PlanAct.Training;
using PlanAct.Trajectories;

namespace PlanAct.Cli.Commands;

internal static class DynamicActCommand
{
    public static Command Build()
    {
        var input = new Option<string>("--input") { Description = "Trajectories: a WebArena-Lite SFT .json, a planact .jsonl, or a folder of them.", Required = true };
        var replans = new Option<string>("--replans") { Description = "Replan records (planact/replan@1 JSONL from planact replan), matched to the trajectory with their id.", Required = true };
        var output = new Option<string>("--out") { Description = "The executor examples to write (planact/example@1 JSONL, written whole or not at all).", Required = true };
        var maxPageTokens = CommandOptions.MaxPageTokens("the current page of each executor example");
        var skipInvalid = new Option<bool>("--skip-invalid") { Description = "Report invalid trajectories and replan records and use the rest, instead of stopping." };
        var command = new Command("dynamic-act", "Make dynamic executor examples: one per step of every trajectory that has replans, the latest plan before the step's action in the system message (the initial plan at step 0) and the ground-truth action as target.\n\nExample:\n  planact dynamic-act --input samples/trajectories.jsonl --replans replans.jsonl --out dynamic-executor.jsonl")
        {
            input, replans, output, maxPageTokens, skipInvalid,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(async () =>
        {
            var problems = new ProblemLog(parse.GetValue(skipInvalid));
            var inputPath = parse.GetValue(input)!;
            var outputPath = parse.GetValue(output)!;
            var pairing = await PlanPairing.LoadReplansAsync(parse.GetValue(replans)!, problems, ct);
            var builder = new ExecutorExamples(new ExamplePageOptions { MaxPageTokens = parse.GetValue(maxPageTokens) });
            var trajectories = TrajectoryFiles.ReadAsync(inputPath, new TrajectoryReadOptions { Problems = problems }, ct);
            var paired = 0;
            var examples = pairing.PairAsync(trajectories, inputPath, problems, ct).SelectMany(item =>
            {
                paired++;
                return builder.BuildDynamic(item.Trajectory, item.Record).ToAsyncEnumerable();
            });
            var count = await ExampleJsonl.WriteAsync(outputPath, examples, ct);
            CommandRunner.ReportProblems(problems.Problems);
            Console.Error.WriteLine(
                $"planact: dynamic-act: {count} examples from {paired} trajectories ok, {pairing.TrajectoriesWithoutRecord.Count} trajectories skipped without replans, "
                + $"{pairing.RecordsWithoutTrajectory.Count} replan records without a trajectory, {problems.ErrorCount} skipped as invalid, "
                + $"{builder.PagesCut} pages cut to {parse.GetValue(maxPageTokens)} tokens -> {outputPath}");
            return problems.ErrorCount > 0 ? ExitCodes.InvalidItemsSkipped : ExitCodes.Ok;
        }, ct));
        return command;
    }
}
