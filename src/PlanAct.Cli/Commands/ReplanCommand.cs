using System.CommandLine;
using PlanAct.IO;
using PlanAct.Stages.Act;
using PlanAct.Stages.Replan;
using PlanAct.Trajectories;

namespace PlanAct.Cli.Commands;

internal static class ReplanCommand
{
    public static Command Build(StageInvocation invocation = StageInvocation.Run)
    {
        var input = new Option<string>("--input") { Description = "Trajectories: SFT .json, planact .jsonl, or a folder of them.", Required = true };
        var plans = new Option<string>("--plans") { Description = "Their plan records (planact/plan@1 JSONL, e.g. from planact annotate), matched by id: the plan of round 0.", Required = true };
        var output = new Option<string>("--out") { Description = "Replan records (planact/replan@1 JSONL), one per trajectory. Appended as trajectories finish; a re-run adds only what is missing.", Required = true };
        var cot = new Option<bool>("--cot") { Description = "Chain of thought: the teacher thinks first (kept apart as each round's trace) and writes the plan as if the future were unknown." };
        var maxPageTokens = new Option<int>("--max-page-tokens") { Description = "Cut the current page's planner view to this many tokens.", DefaultValueFactory = _ => 6000 };
        var skipInvalid = new Option<bool>("--skip-invalid") { Description = "Report invalid trajectories and plans and replan the rest, instead of stopping." };
        var teacher = new TeacherArguments();
        var command = StageCommand.Create(
            invocation,
            "replan",
            "Write a replanned plan for every round r = 1..n-1 of every annotated trajectory with the teacher, grounded in the actions r..n-1 still to take, validated and re-asked; rounds of a trajectory in order, trajectories in parallel; failures go to <out>.quarantine.jsonl. `planact export` makes replanner examples from the output, `planact dynamic-act` dynamic executor examples.\n\n"
            + "Example:\n  planact replan --input samples/trajectories.jsonl --plans plans.jsonl --out replans.jsonl --model gpt-4o-mini",
            teacher);
        foreach (var option in new Option[] { input, plans, output, cot, maxPageTokens, skipInvalid })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, ct) => CommandRunner.RunAsync(async () =>
        {
            var problems = new ProblemLog(parse.GetValue(skipInvalid));
            var inputPath = parse.GetValue(input)!;
            var pairing = await PlanPairing.LoadPlansAsync(parse.GetValue(plans)!, problems, ct);
            var options = new ReplanOptions { MaxPageTokens = parse.GetValue(maxPageTokens), Cot = parse.GetValue(cot) };
            var code = await StageCommand.RunAsync(
                invocation,
                parse,
                teacher,
                parse.GetValue(output)!,
                session => new ReplanStage(options, session.ModelFor(ReplanStage.StageName)),
                () => pairing.PairPlansAsync(TrajectoryFiles.ReadAsync(inputPath, new TrajectoryReadOptions { Problems = problems }, ct), inputPath, problems, ct),
                ct);
            CommandRunner.ReportProblems(problems.Problems);
            return code == ExitCodes.Ok && problems.ErrorCount > 0 ? ExitCodes.InvalidItemsSkipped : code;
        }, ct));
        return command;
    }
}
