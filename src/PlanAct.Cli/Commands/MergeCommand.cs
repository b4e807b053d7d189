using System.CommandLine;
using PlanAct.IO;
using PlanAct.Stages;
using PlanAct.Trajectories;

namespace PlanAct.Cli.Commands;

internal static class MergeCommand
{
    public static Command Build()
    {
        var shards = new Argument<string[]>("shards") { Description = "The outputs of the shard runs (one per --shard i/n), any order.", Arity = ArgumentArity.OneOrMore };
        var input = new Option<string>("--input") { Description = "The trajectories the shards were made from: they give the order.", Required = true };
        var output = new Option<string>("--out") { Description = "The joined file (written whole or not at all).", Required = true };
        var skipInvalid = new Option<bool>("--skip-invalid") { Description = "Read past invalid trajectories in --input (their records cannot be placed)." };
        var replaceInvalidUtf8 = CommandOptions.ReplaceInvalidUtf8();
        var command = new Command(
            "merge",
            "Join the outputs of shard runs (--shard i/n on several machines) into one file in input order; a record in two shards, or for an item not in the input, is an error.\n\n"
            + "Example:\n  planact merge --input samples/trajectories.jsonl --out plans.jsonl shard1/plans.jsonl shard2/plans.jsonl")
        {
            shards, input, output, skipInvalid, replaceInvalidUtf8,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(async () =>
        {
            var problems = new ProblemLog(parse.GetValue(skipInvalid));
            var order = new Dictionary<string, int>(StringComparer.Ordinal);
            await foreach (var trajectory in TrajectoryFiles.ReadAsync(parse.GetValue(input)!, new TrajectoryReadOptions { Problems = problems, ReplaceInvalidUtf8 = parse.GetValue(replaceInvalidUtf8) }, ct))
            {
                order.TryAdd(trajectory.Id, order.Count);
            }

            var files = parse.GetValue(shards)!;
            var count = await ShardMerge.MergeAsync(files, order, parse.GetValue(output)!, ct);
            CommandRunner.ReportProblems(problems.Problems);
            CliConsole.Current.Error.WriteLine($"planact: merge: {count} records from {files.Length} shards -> {parse.GetValue(output)}");
            return problems.ErrorCount > 0 ? ExitCodes.InvalidItemsSkipped : ExitCodes.Ok;
        }, ct));
        return command;
    }
}
