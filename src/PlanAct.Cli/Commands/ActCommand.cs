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
        PlanPairing.LoadPlansAsync,
        (builder, trajectory, plan) => builder.Build(new PlannedTrajectory(trajectory, trajectory.Id, plan)));

    public static Command BuildDynamic(StageInvocation invocation = StageInvocation.Run) => Build(
        invocation,
        "dynamic-act",
        "--replans",
        "Replan records (planact/replan@1 JSONL from planact replan), matched to the trajectory with their id.",
        "Make dynamic executor examples: one per step of every trajectory that has replans, the latest plan before the step's action in the system message (the initial plan at step 0) and the ground-truth action as target.",
        "planact dynamic-act --input samples/trajectories.jsonl --replans replans.jsonl --out dynamic-executor.jsonl",
        ("replans", "replan records"),
        PlanPairing.LoadReplansAsync,
        (builder, trajectory, replans) => builder.BuildDynamic(trajectory, replans));

    private static Command Build<TRecord>(
        StageInvocation invocation,
        string name,
        string recordsFlag,
        string recordsDescription,
        string description,
        string example,
        (string Singular, string Plural) records,
        Func<string, ProblemLog, CancellationToken, Task<TrajectoryPairing<TRecord>>> load,
        Func<ExecutorExamples, Trajectory, TRecord, IEnumerable<TrainingExample>> build)
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
            var pairing = await load(parse.GetValue(recordsPath)!, problems, ct);
            var pageOptions = new ExamplePageOptions { MaxPageTokens = parse.GetValue(maxPageTokens) };
            var builder = new ExecutorExamples(pageOptions);
            var paired = 0;

            // A stage run reads its input more than once: each pass gets its own builder, so the counts are one pass's.
            IAsyncEnumerable<(Trajectory Trajectory, TrainingExample Example)> Examples()
            {
                builder = new ExecutorExamples(pageOptions);
                paired = 0;
                return pairing.PairAsync(TrajectoryFiles.ReadAsync(inputPath, new TrajectoryReadOptions { Problems = problems }, ct), inputPath, problems, ct)
                    .SelectMany(item =>
                    {
                        paired++;
                        return build(builder, item.Trajectory, item.Record).Select(e => (item.Trajectory, e)).ToAsyncEnumerable();
                    });
            }

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
                    () => Examples().Select(e => new ExecutorStep(e.Trajectory, e.Example)),
                    ct);
            }
            else
            {
                if (teacher.Mode(parse) != TeacherMode.Online)
                {
                    throw new CommandLineException($"--dry-run and --batch need --cot: {name} without --cot asks no teacher");
                }

                var count = await ExampleJsonl.WriteAsync(outputPath, Examples().Select(e => e.Example), ct);
                made = $"{count} examples from {paired} trajectories ok, ";
                code = ExitCodes.Ok;
            }

            CommandRunner.ReportProblems(problems.Problems);
            Console.Error.WriteLine(
                $"planact: {name}: {made}{pairing.TrajectoriesWithoutRecord.Count} trajectories skipped without {records.Singular}, "
                + $"{pairing.RecordsWithoutTrajectory.Count} {records.Plural} without a trajectory, {problems.ErrorCount} skipped as invalid, "
                + $"{builder.PagesCut} pages cut to {parse.GetValue(maxPageTokens)} tokens -> {outputPath}");
            return code == ExitCodes.Ok && problems.ErrorCount > 0 ? ExitCodes.InvalidItemsSkipped : code;
        }, ct));
        return command;
    }
}
