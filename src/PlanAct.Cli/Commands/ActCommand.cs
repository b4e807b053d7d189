using System.CommandLine;
using PlanAct.IO;
using PlanAct.Stages;
using PlanAct.Stages.Act;
using PlanAct.Training;
using PlanAct.Trajectories;

namespace PlanAct.Cli.Commands;

internal static class ActCommand
{
    public static Command Build(StageInvocation invocation = StageInvocation.Run)
    {
        var input = new Option<string>("--input") { Description = "Trajectories: a WebArena-Lite SFT .json, a planact .jsonl, or a folder of them.", Required = true };
        var plans = new Option<string>("--plans") { Description = "Plan records (planact/plan@1 JSONL); a plan is matched to the trajectory with its id.", Required = true };
        var output = new Option<string>("--out") { Description = "The executor examples to write (planact/example@1 JSONL). Without --cot written whole or not at all; with --cot appended as answers arrive, and a re-run adds only what is missing.", Required = true };
        var cot = new Option<bool>("--cot") { Description = "Ask the teacher for the reasoning behind each known action (kept apart in the record's reasoning); needs a teacher (the teacher flags below)." };
        var maxPageTokens = CommandOptions.MaxPageTokens("the current page of each executor example");
        var skipInvalid = new Option<bool>("--skip-invalid") { Description = "Report invalid trajectories and plans and use the rest, instead of stopping." };
        var teacher = new TeacherArguments();
        var command = StageCommand.Create(
            invocation,
            "act",
            "Make executor examples: one per step of every trajectory that has a plan, the plan in the system message and the ground-truth action as target. "
            + "With --cot the teacher writes the reasoning behind each action; an answer whose action differs from the ground truth is re-asked, then quarantined.\n\n"
            + "Example:\n  planact act --input samples/trajectories.jsonl --plans plans.jsonl --out executor.jsonl\n"
            + "  planact act --input samples/trajectories.jsonl --plans plans.jsonl --out executor.cot.jsonl --cot --model gpt-4o-mini",
            teacher);
        foreach (var option in invocation == StageInvocation.Run ? [input, plans, output, cot, maxPageTokens, skipInvalid] : new Option[] { input, plans, output, maxPageTokens, skipInvalid })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, ct) => CommandRunner.RunAsync(async () =>
        {
            var problems = new ProblemLog(parse.GetValue(skipInvalid));
            var inputPath = parse.GetValue(input)!;
            var outputPath = parse.GetValue(output)!;
            var act = await ActRun.OpenAsync(
                parse.GetValue(plans)!,
                () => TrajectoryFiles.ReadAsync(inputPath, new TrajectoryReadOptions { Problems = problems }, ct),
                inputPath,
                new ExamplePageOptions { MaxPageTokens = parse.GetValue(maxPageTokens) },
                problems,
                ct);

            int code;
            var made = "";
            if (invocation != StageInvocation.Run || parse.GetValue(cot))
            {
                code = await StageCommand.RunAsync(
                    invocation,
                    parse,
                    teacher,
                    outputPath,
                    session => new ExecutorReasoningStage(act.Builder, session.ModelFor(ExecutorReasoningStage.StageName)),
                    () => PlannedStep.Of(act.Planned(ct)),
                    ct);
            }
            else
            {
                if (teacher.Mode(parse) != TeacherMode.Online)
                {
                    throw new CommandLineException("--dry-run and --batch need --cot: act without --cot asks no teacher");
                }

                var (count, planned) = await act.WriteAsync(outputPath, ct);
                made = $"{count} examples from {planned} trajectories ok, ";
                code = ExitCodes.Ok;
            }

            CommandRunner.ReportProblems(problems.Problems);
            Console.Error.WriteLine(
                $"planact: act: {made}{act.Pairing.TrajectoriesWithoutPlan.Count} trajectories skipped without a plan, "
                + $"{act.Pairing.PlansWithoutTrajectory.Count} plans without a trajectory, {problems.ErrorCount} skipped as invalid, "
                + $"{act.Builder.PagesCut} pages cut to {parse.GetValue(maxPageTokens)} tokens -> {outputPath}");
            return code == ExitCodes.Ok && problems.ErrorCount > 0 ? ExitCodes.InvalidItemsSkipped : code;
        }, ct));
        return command;
    }
}
