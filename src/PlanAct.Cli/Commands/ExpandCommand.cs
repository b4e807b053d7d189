using System.CommandLine;
using PlanAct.IO;
using PlanAct.Stages;
using PlanAct.Stages.Expand;
using PlanAct.Stages.Generation;

namespace PlanAct.Cli.Commands;

internal static class ExpandCommand
{
    public static Command Build(StageInvocation invocation = StageInvocation.Run)
    {
        var plans = new Option<string>("--plans") { Description = "Seed plan records (JSONL): annotate output or any planact plan file.", Required = true };
        var count = new Option<int>("--count") { Description = "How many new plan records to accept.", Required = true };
        var output = new Option<string>("--out") { Description = "The accepted synthetic plan records (JSONL), written whole at the end; beside it <out>.answers.jsonl, .rejected.jsonl and .report.json.", Required = true };
        var perRequest = new Option<int>("--per-request") { Description = "New pairs asked for per request.", DefaultValueFactory = _ => 10 };
        var seedsShown = new Option<int>("--seeds") { Description = "Seed pairs of one site shown per request.", DefaultValueFactory = _ => 5 };
        var sites = new Option<string?>("--sites") { Description = "Comma-separated sites to rotate over, in this order (default: every site of the seeds)." };
        var maxRequests = new Option<int?>("--max-requests") { Description = "Requests to spend at most (default: 3 × count / per-request)." };
        var seed = new Option<int>("--seed") { Description = "Seed of the seed draws: the same seed gives the same requests.", DefaultValueFactory = _ => 0 };
        var skipInvalid = new Option<bool>("--skip-invalid") { Description = "Report invalid seed records or query-list entries and go on, instead of stopping." };
        var filter = new PairFilterArguments();
        var teacher = new TeacherArguments();
        var command = StageCommand.Create(
            invocation,
            ExpandPrompts.StageName,
            "Generate new query-plan pairs from seed plans (SPEC §2.4): each request shows k seeds of one site (sites in turn) and asks for m new pairs; "
            + "pairs that are malformed, start from a seed number not shown, repeat or nearly repeat (ROUGE-L) a seed or accepted query, or resemble a test query are rejected with their reason. "
            + "Runs until --count records are accepted or --max-requests are spent.\n\n"
            + "Example:\n  planact expand --plans plans.jsonl --count 100 --out synthetic.jsonl --decontaminate samples/webarena-lite-test-intents.json --model gpt-4o-mini",
            teacher);
        foreach (var option in new Option[] { plans, count, output, perRequest, seedsShown, sites, maxRequests, seed, skipInvalid }.Concat(filter.Options))
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, ct) => CommandRunner.RunAsync(async () =>
        {
            var options = new ExpandOptions
            {
                Count = PairFilterArguments.Positive(parse.GetValue(count), "--count"),
                PerRequest = PairFilterArguments.Positive(parse.GetValue(perRequest), "--per-request"),
                SeedsPerRequest = PairFilterArguments.Positive(parse.GetValue(seedsShown), "--seeds"),
                Sites = parse.GetValue(sites)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                MaxRequests = parse.GetValue(maxRequests) is { } max ? PairFilterArguments.Positive(max, "--max-requests") : null,
                RandomSeed = parse.GetValue(seed),
                Filter = filter.Settings(parse),
            };
            var outPath = parse.GetValue(output)!;
            var problems = new ProblemLog(parse.GetValue(skipInvalid));
            var job = await ExpandJob.LoadAsync(parse.GetValue(plans)!, options, problems, ct);
            GenerationResult? result = null;
            var code = await StageCommand.RunAsync(
                invocation,
                parse,
                teacher,
                session => (ExpandPrompts.StageName, async (mode, batch, progress) =>
                {
                    result = await job.RunAsync(session, outPath, mode, batch, progress, ct);
                    return result.Summary;
                }
                ),
                summary => ReportGeneration(summary, result!, outPath),
                ct);
            CommandRunner.ReportProblems(problems.Problems);
            return code == ExitCodes.Ok && problems.ErrorCount > 0 ? ExitCodes.InvalidItemsSkipped : code;
        }, ct));
        return command;
    }

    /// <summary>The stage counts, then the selection report; a run that ended before its target exits with 5.</summary>
    public static int ReportGeneration(StageSummary summary, GenerationResult result, string outPath)
    {
        var code = StageCommand.Report(summary, OutputPaths.Beside(outPath, "answers.jsonl"));
        foreach (var line in result.Report?.Lines() ?? [])
        {
            Console.Error.WriteLine($"planact: {line}");
        }

        Console.Error.WriteLine($"planact: records -> {outPath}; rejected pairs -> {OutputPaths.Beside(outPath, "rejected.jsonl")}; report -> {OutputPaths.Beside(outPath, "report.json")}");
        if (code != ExitCodes.Stopped && result.StoppedBecause is { } why)
        {
            Console.Error.WriteLine($"planact: {why}");
            return ExitCodes.Stopped;
        }

        return code;
    }
}
