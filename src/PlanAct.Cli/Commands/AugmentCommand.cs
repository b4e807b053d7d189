using System.CommandLine;
using PlanAct.IO;
using PlanAct.Stages.Augment;
using PlanAct.Stages.Generation;

namespace PlanAct.Cli.Commands;

internal static class AugmentCommand
{
    public static Command Build(StageInvocation invocation = StageInvocation.Run)
    {
        var input = new Option<string>("--input") { Description = "Labelled plan records (classify output).", Required = true };
        var output = new Option<string>("--out") { Description = "The targeted plan records (JSONL), written whole at the end; beside it <out>.answers.jsonl, .rejected.jsonl and .report.json.", Required = true };
        var skipInvalid = new Option<bool>("--skip-invalid") { Description = "Report invalid records or query-list entries and go on, instead of stopping." };
        var filter = new PairFilterArguments();
        var teacher = new TeacherArguments();
        var command = StageCommand.Create(
            invocation,
            AugmentPrompts.StageName,
            "Make exactly one new pair from every labelled record whose class is not Other (SPEC §2.5): same intent, site and interface names, other values and wording; "
            + "checked and deduplicated like expand (against every input query and --decontaminate), written with origin \"targeted\".\n\n"
            + "Example:\n  planact augment --input labelled.jsonl --out targeted.jsonl --decontaminate samples/webarena-lite-test-intents.json --model gpt-4o-mini",
            teacher);
        foreach (var option in new Option[] { input, output, skipInvalid }.Concat(filter.Options))
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, ct) => CommandRunner.RunAsync(async () =>
        {
            var outPath = parse.GetValue(output)!;
            var problems = new ProblemLog(parse.GetValue(skipInvalid));
            var job = await AugmentJob.LoadAsync(parse.GetValue(input)!, filter.Settings(parse), problems, ct);
            Console.Error.WriteLine($"planact: augment: {job.Targets} labelled records to augment, {job.Others} labelled Other or unlabelled");
            GenerationResult? result = null;
            var code = await StageCommand.RunAsync(
                invocation,
                parse,
                teacher,
                session => (AugmentPrompts.StageName, async (mode, batch, progress) =>
                {
                    result = await job.RunAsync(session, outPath, mode, batch, progress, ct);
                    return result.Summary;
                }
                ),
                summary => ExpandCommand.ReportGeneration(summary, result!, outPath),
                ct);
            CommandRunner.ReportProblems(problems.Problems);
            return code == ExitCodes.Ok && problems.ErrorCount > 0 ? ExitCodes.InvalidItemsSkipped : code;
        }, ct));
        return command;
    }
}
