using System.CommandLine;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Stages.Classify;

namespace PlanAct.Cli.Commands;

internal static class ClassifyCommand
{
    public static Command Build(StageInvocation invocation = StageInvocation.Run)
    {
        var plans = new Option<string>("--plans") { Description = "Plan records (JSONL) to label.", Required = true };
        var classes = new Option<string>("--classes") { Description = "Failure classes per site (YAML), e.g. samples/failure-classes.yaml.", Required = true };
        var output = new Option<string>("--out") { Description = "The records with their label (JSONL). Appended as labels arrive; a re-run adds only what is missing.", Required = true };
        var skipInvalid = new Option<bool>("--skip-invalid") { Description = "Report invalid plan records and label the rest, instead of stopping." };
        var teacher = new TeacherArguments();
        var command = StageCommand.Create(
            invocation,
            ClassifyStage.StageName,
            "Label every plan record with the failure class of its site it would help with, or Other (SPEC §2.5): the teacher answers ## Reasoning / ## Classification, "
            + "checked against the site's class names and re-asked; records of sites without classes are skipped and listed.\n\n"
            + "Example:\n  planact classify --plans plans.jsonl --classes samples/failure-classes.yaml --out labelled.jsonl --model gpt-4o-mini",
            teacher);
        foreach (var option in new Option[] { plans, classes, output, skipInvalid })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, ct) => CommandRunner.RunAsync(async () =>
        {
            var problems = new ProblemLog(parse.GetValue(skipInvalid));
            var failureClasses = FailureClasses.Load(parse.GetValue(classes)!);
            var code = await StageCommand.RunAsync(
                invocation,
                parse,
                teacher,
                parse.GetValue(output)!,
                _ => new ClassifyStage(failureClasses),
                () => PlanJsonl.ReadAsync(parse.GetValue(plans)!, problems, ct),
                ct);
            CommandRunner.ReportProblems(problems.Problems);
            return code == ExitCodes.Ok && problems.ErrorCount > 0 ? ExitCodes.InvalidItemsSkipped : code;
        }, ct));
        return command;
    }
}
