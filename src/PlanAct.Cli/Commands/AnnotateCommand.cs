using System.CommandLine;
using PlanAct.IO;
using PlanAct.Stages.Annotate;
using PlanAct.Trajectories;

namespace PlanAct.Cli.Commands;

internal static class AnnotateCommand
{
    public static Command Build(StageInvocation invocation = StageInvocation.Run)
    {
        var input = new Option<string>("--input") { Description = "Trajectories: SFT .json, planact .jsonl, or a folder of them.", Required = true };
        var output = new Option<string>("--out") { Description = "Plan records (JSONL). Appended as plans arrive; a re-run adds only what is missing.", Required = true };
        var mode = new Option<AnnotateMode>("--mode")
        {
            Description = "grounded: one request per trajectory. cot: describe each action from the pages before and after it, reduce the descriptions to a plan, "
                + "then rewrite its reasoning as if only the task and first page were known (the thinking is kept as the record's trace).",
            DefaultValueFactory = _ => AnnotateMode.Grounded,
        };
        var describePageTokens = new Option<int>("--describe-page-tokens") { Description = "CoT mode: cut each page before and after an action (executor view) to this many tokens.", DefaultValueFactory = _ => 3000 };
        var examples = new Option<string?>("--examples") { Description = "YAML in-context examples per site (default: the built-in ones, written for samples/)." };
        var maxPageTokens = new Option<int>("--max-page-tokens") { Description = "Cut the first page's planner view to this many tokens.", DefaultValueFactory = _ => 6000 };
        var skipInvalid = new Option<bool>("--skip-invalid") { Description = "Report invalid trajectories and annotate the rest, instead of stopping." };
        var teacher = new TeacherArguments();
        var command = StageCommand.Create(
            invocation,
            "annotate",
            "Write a grounded plan for every trajectory with the teacher (## Step N / Reasoning / Description / Step / Actions), validated and re-asked; failures go to <out>.quarantine.jsonl.\n\n"
            + "Example:\n  planact annotate --input samples/trajectories.jsonl --out plans.jsonl --model gpt-4o-mini\n  planact annotate --input samples/trajectories.jsonl --out plans.jsonl --model gpt-4o-mini --dry-run\n"
            + "  planact annotate --input samples/trajectories.jsonl --out plans.cot.jsonl --model gpt-4o-mini --mode cot",
            teacher);
        foreach (var option in new Option[] { input, output, mode, examples, maxPageTokens, describePageTokens, skipInvalid })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, ct) => CommandRunner.RunAsync(async () =>
        {
            var problems = new ProblemLog(parse.GetValue(skipInvalid));
            var options = new AnnotateOptions
            {
                Mode = parse.GetValue(mode),
                MaxPageTokens = parse.GetValue(maxPageTokens),
                DescribePageTokens = parse.GetValue(describePageTokens),
                Examples = parse.GetValue(examples) is { } path ? AnnotationExamples.Load(path) : AnnotationExamples.BuiltIn,
            };
            var code = await StageCommand.RunAsync(
                invocation,
                parse,
                teacher,
                parse.GetValue(output)!,
                session => new AnnotateStage(options, session.ModelFor(AnnotateStage.StageName)),
                () => TrajectoryFiles.ReadAsync(parse.GetValue(input)!, new TrajectoryReadOptions { Problems = problems }, ct),
                ct);
            CommandRunner.ReportProblems(problems.Problems);
            return code == ExitCodes.Ok && problems.ErrorCount > 0 ? ExitCodes.InvalidItemsSkipped : code;
        }, ct));
        return command;
    }
}
