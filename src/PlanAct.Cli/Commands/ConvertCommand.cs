using System.CommandLine;
using PlanAct.IO;
using PlanAct.Trajectories;

namespace PlanAct.Cli.Commands;

internal static class ConvertCommand
{
    public static Command Build()
    {
        var input = new Argument<string>("input") { Description = "A trajectory file (planact .jsonl, WebArena-Lite SFT, ADP, BrowserGym step records, a WebVoyager run) or a folder of them." };
        var format = CommandOptions.TrajectoryFormat();
        var output = new Option<string>("--out") { Description = "The file to write (written whole or not at all).", Required = true };
        var to = new Option<TrajectoryFormat>("--to") { Description = "Output format: jsonl (planact trajectories) or sft (WebArena-Lite SFT array).", DefaultValueFactory = _ => TrajectoryFormat.Jsonl, HelpName = "jsonl|sft" };
        var skipInvalid = new Option<bool>("--skip-invalid") { Description = "Report invalid trajectories and convert the rest, instead of stopping." };
        var replaceInvalidUtf8 = CommandOptions.ReplaceInvalidUtf8();
        var command = new Command("convert", "Convert trajectories of any supported format to planact JSONL (or WebRL ones to the WebArena-Lite SFT array).\n\nExample:\n  planact convert samples/webarena-lite-sft.json --to jsonl --out trajectories.jsonl\n  planact convert adp_sample_std.json --out trajectories.jsonl")
        {
            input, output, to, skipInvalid, replaceInvalidUtf8, format,
        };
        to.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<TrajectoryFormat>() is not (TrajectoryFormat.Jsonl or TrajectoryFormat.Sft))
            {
                result.AddError("--to: trajectories are written as jsonl or sft");
            }
        });
        command.SetAction((parse, ct) => CommandRunner.RunAsync(async () =>
        {
            CommandOptions.RefuseOutputOverInput(parse.GetValue(output)!, parse.GetValue(input)!);
            var problems = new ProblemLog(parse.GetValue(skipInvalid));
            var trajectories = TrajectoryFiles.ReadAsync(parse.GetValue(input)!, new TrajectoryReadOptions { Problems = problems, ReplaceInvalidUtf8 = parse.GetValue(replaceInvalidUtf8), Format = parse.GetValue(format) }, ct);
            var count = await TrajectoryFiles.WriteAsync(parse.GetValue(output)!, parse.GetValue(to), trajectories, ct);
            CommandRunner.ReportProblems(problems.Problems);
            CliConsole.Current.Error.WriteLine($"planact: convert: {count} ok, {problems.ErrorCount} skipped as invalid -> {parse.GetValue(output)}");
            return problems.ErrorCount > 0 ? ExitCodes.InvalidItemsSkipped : ExitCodes.Ok;
        }, ct));
        return command;
    }
}
