using System.CommandLine;
using PlanAct.IO;
using PlanAct.Stages.Act;
using PlanAct.Training;
using PlanAct.Trajectories;

namespace PlanAct.Cli.Commands;

/// <summary><c>planact act</c> (executor examples with the global plan) and <c>planact dynamic-act</c> (with the latest replan).</summary>
internal static class ActCommand
{
    public static Command Build() => Build(
        "act",
        "--plans",
        "Plan records (planact/plan@1 JSONL); a plan is matched to the trajectory with its id.",
        "Make executor examples: one per step of every trajectory that has a plan, the plan in the system message and the ground-truth action as target.\n\nExample:\n  planact act --input samples/trajectories.jsonl --plans plans.jsonl --out executor.jsonl",
        ("a plan", "plans"),
        PlanPairing.LoadPlansAsync,
        (builder, trajectory, plan) => builder.Build(new PlannedTrajectory(trajectory, trajectory.Id, plan)));

    public static Command BuildDynamic() => Build(
        "dynamic-act",
        "--replans",
        "Replan records (planact/replan@1 JSONL from planact replan), matched to the trajectory with their id.",
        "Make dynamic executor examples: one per step of every trajectory that has replans, the latest plan before the step's action in the system message (the initial plan at step 0) and the ground-truth action as target.\n\nExample:\n  planact dynamic-act --input samples/trajectories.jsonl --replans replans.jsonl --out dynamic-executor.jsonl",
        ("replans", "replan records"),
        PlanPairing.LoadReplansAsync,
        (builder, trajectory, replans) => builder.BuildDynamic(trajectory, replans));

    private static Command Build<TRecord>(
        string name,
        string recordsFlag,
        string recordsDescription,
        string description,
        (string Singular, string Plural) records,
        Func<string, ProblemLog, CancellationToken, Task<TrajectoryPairing<TRecord>>> load,
        Func<ExecutorExamples, Trajectory, TRecord, IEnumerable<TrainingExample>> build)
    {
        var input = new Option<string>("--input") { Description = "Trajectories: a WebArena-Lite SFT .json, a planact .jsonl, or a folder of them.", Required = true };
        var recordsPath = new Option<string>(recordsFlag) { Description = recordsDescription, Required = true };
        var output = new Option<string>("--out") { Description = "The executor examples to write (planact/example@1 JSONL, written whole or not at all).", Required = true };
        var maxPageTokens = CommandOptions.MaxPageTokens("the current page of each executor example");
        var skipInvalid = new Option<bool>("--skip-invalid") { Description = $"Report invalid trajectories and {records.Plural} and use the rest, instead of stopping." };
        var command = new Command(name, description)
        {
            input, recordsPath, output, maxPageTokens, skipInvalid,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(async () =>
        {
            var problems = new ProblemLog(parse.GetValue(skipInvalid));
            var inputPath = parse.GetValue(input)!;
            var outputPath = parse.GetValue(output)!;
            var pairing = await load(parse.GetValue(recordsPath)!, problems, ct);
            var builder = new ExecutorExamples(new ExamplePageOptions { MaxPageTokens = parse.GetValue(maxPageTokens) });
            var trajectories = TrajectoryFiles.ReadAsync(inputPath, new TrajectoryReadOptions { Problems = problems }, ct);
            var paired = 0;
            var examples = pairing.PairAsync(trajectories, inputPath, problems, ct).SelectMany(item =>
            {
                paired++;
                return build(builder, item.Trajectory, item.Record).ToAsyncEnumerable();
            });
            var count = await ExampleJsonl.WriteAsync(outputPath, examples, ct);
            CommandRunner.ReportProblems(problems.Problems);
            Console.Error.WriteLine(
                $"planact: {name}: {count} examples from {paired} trajectories ok, {pairing.TrajectoriesWithoutRecord.Count} trajectories skipped without {records.Singular}, "
                + $"{pairing.RecordsWithoutTrajectory.Count} {records.Plural} without a trajectory, {problems.ErrorCount} skipped as invalid, "
                + $"{builder.PagesCut} pages cut to {parse.GetValue(maxPageTokens)} tokens -> {outputPath}");
            return problems.ErrorCount > 0 ? ExitCodes.InvalidItemsSkipped : ExitCodes.Ok;
        }, ct));
        return command;
    }
}
