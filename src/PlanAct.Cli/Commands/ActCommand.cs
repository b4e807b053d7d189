using System.CommandLine;
using PlanAct.IO;
using PlanAct.Stages;
using PlanAct.Stages.Act;
using PlanAct.Training;
using PlanAct.Trajectories;

namespace PlanAct.Cli.Commands;

/// <summary><c>planact act</c> (executor examples with the global plan) and <c>planact dynamic-act</c> (with the latest replan), each with an optional CoT teacher.</summary>
internal static class ActCommand
{
    public static Command Build(StageInvocation invocation = StageInvocation.Run) => Build(
        invocation,
        "act",
        "--plans",
        "Plan records (planact/plan@1 JSONL); a plan is matched to the trajectory with its id.",
        "Make executor examples: one per step of every trajectory that has a plan, the plan in the system message and the ground-truth action as target.",
        "planact act --input samples/trajectories.jsonl --plans plans.jsonl --out executor.jsonl",
        ("a plan", "plans"),
        ActRun.ForPlansAsync);

    public static Command BuildDynamic(StageInvocation invocation = StageInvocation.Run) => Build(
        invocation,
        "dynamic-act",
        "--replans",
        "Replan records (planact/replan@1 JSONL from planact replan), matched to the trajectory with their id.",
        "Make dynamic executor examples: one per step of every trajectory that has replans, the latest plan before the step's action in the system message (the initial plan at step 0) and the ground-truth action as target.",
        "planact dynamic-act --input samples/trajectories.jsonl --replans replans.jsonl --out dynamic-executor.jsonl",
        ("replans", "replan records"),
        ActRun.ForReplansAsync);

    private static Command Build<TRecord>(
        StageInvocation invocation,
        string name,
        string recordsFlag,
        string recordsDescription,
        string description,
        string example,
        (string Singular, string Plural) records,
        Func<string, Func<IAsyncEnumerable<Trajectory>>, string, ExamplePageOptions, ProblemLog, CancellationToken, Task<ActRun<TRecord>>> open)
    {
        var input = new Option<string>("--input") { Description = "Trajectories: a WebArena-Lite SFT .json, a planact .jsonl, or a folder of them.", Required = true };
        var recordsPath = new Option<string>(recordsFlag) { Description = recordsDescription, Required = true };
        var output = new Option<string>("--out") { Description = "The executor examples to write (planact/example@1 JSONL). Without --cot written whole or not at all; with --cot appended as answers arrive, and a re-run adds only what is missing.", Required = true };
        var cot = new Option<bool>("--cot") { Description = "Ask the teacher for the reasoning behind each known action (kept apart in the record's reasoning); needs a teacher (the teacher flags)." };
        var maxPageTokens = CommandOptions.MaxPageTokens("the current page of each executor example");
        var skipInvalid = new Option<bool>("--skip-invalid") { Description = $"Report invalid trajectories and {records.Plural} and use the rest, instead of stopping." };
        var teacher = new TeacherArguments();
        var command = StageCommand.Create(
            invocation,
            name,
            description + " With --cot the teacher writes the reasoning behind each action; an answer whose action differs from the ground truth is re-asked, then quarantined.\n\n"
            + $"Example:\n  {example}\n  {example.Replace(".jsonl --out ", ".jsonl --cot --model gpt-4o-mini --out ", StringComparison.Ordinal)}",
            teacher);
        foreach (var option in invocation == StageInvocation.Run ? [input, recordsPath, output, cot, maxPageTokens, skipInvalid] : new Option[] { input, recordsPath, output, maxPageTokens, skipInvalid })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, ct) => CommandRunner.RunAsync(async () =>
        {
            var problems = new ProblemLog(parse.GetValue(skipInvalid));
            var inputPath = parse.GetValue(input)!;
            var outputPath = parse.GetValue(output)!;
            // With --cot the stage runner takes --shard by step; without, this command takes it by trajectory.
            var shard = invocation == StageInvocation.Run && !parse.GetValue(cot) ? StageCommand.ShardOf(parse) : null;
            var act = await open(
                parse.GetValue(recordsPath)!,
                () => TrajectoryFiles.ReadAsync(inputPath, new TrajectoryReadOptions { Problems = problems }, ct).Where(t => shard?.Contains(t.Id) != false),
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
                    session => new ExecutorReasoningStage(name, session.ModelFor(name)),
                    () => act.Steps(ct),
                    ct);
            }
            else
            {
                if (teacher.Mode(parse) != TeacherMode.Online)
                {
                    throw new CommandLineException($"--dry-run and --batch need --cot: {name} without --cot asks no teacher");
                }

                var count = await act.WriteAsync(outputPath, ct);
                made = $"{count} examples from {act.Paired} trajectories ok, ";
                code = ExitCodes.Ok;
            }

            CommandRunner.ReportProblems(problems.Problems);
            Console.Error.WriteLine(
                $"planact: {name}: {made}{act.Pairing.TrajectoriesWithoutRecord.Count} trajectories skipped without {records.Singular}, "
                + $"{act.Pairing.RecordsWithoutTrajectory.Count} {records.Plural} without a trajectory, {problems.ErrorCount} skipped as invalid, "
                + $"{act.Builder.PagesCut} pages cut to {parse.GetValue(maxPageTokens)} tokens -> {outputPath}");
            return code == ExitCodes.Ok && problems.ErrorCount > 0 ? ExitCodes.InvalidItemsSkipped : code;
        }, ct));
        return command;
    }
}
