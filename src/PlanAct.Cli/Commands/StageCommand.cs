using System.CommandLine;
using PlanAct.Pipeline;
using PlanAct.Stages;
using PlanAct.Teacher;
using PlanAct.Teacher.Batch;
using PlanAct.Teacher.Cost;

namespace PlanAct.Cli.Commands;

/// <summary>What a stage command does: run the stage, or (under <c>planact batch</c>) prepare or submit its requests.</summary>
internal enum StageInvocation
{
    Run,
    BatchPrepare,
    BatchSubmit,
}

/// <summary>Runs prepared teacher work in a mode, reporting progress, to its summary.</summary>
internal delegate Task<StageSummary> StageRun(TeacherMode mode, BatchRunner? batch, IProgress<StageProgress> progress);

/// <summary>What every teacher-driven command does around its stage: the teacher, the run, the report, the exit code.</summary>
internal static class StageCommand
{
    /// <summary>What to set for a teacher, in one sentence.</summary>
    public const string HowToConfigure =
        "Set --model (or PLANACT_MODEL) and --base-url / OPENAI_API_KEY, or AZURE_OPENAI_ENDPOINT / AZURE_OPENAI_API_KEY / AZURE_OPENAI_DEPLOYMENT (README, Teacher configuration)";

    private static readonly Option<string?> RequestsDir = new("--dir") { Description = "Where to write the batch request files (default: batches/<stage> beside the ledger)." };

    /// <summary>--shard i/n: this machine's part of the items, by a stable hash of their ids.</summary>
    public static Option<string?> ShardOption() => new("--shard") { Description = "Run only part i of n of the items (e.g. 2/4), chosen by a stable hash of each item id; `planact merge` joins the parts." };

    public static Shard? ParseShard(string? text) =>
        text is null ? null : Shard.TryParse(text) ?? throw new CommandLineException($"--shard \"{text}\" is not i/n with 1 <= i <= n");

    private static readonly Option<string?> ShardFlag = ShardOption();

    /// <summary>The --shard of a stage run, for a command that applies it itself (work without a teacher).</summary>
    public static Shard? ShardOf(ParseResult parse) => ParseShard(parse.GetValue(ShardFlag));

    /// <summary>Names a stage command and adds the options of its invocation.</summary>
    public static Command Create(StageInvocation invocation, string name, string description, TeacherArguments teacher)
    {
        var command = new Command(name, invocation switch
        {
            StageInvocation.BatchPrepare => $"Write the Batch API request files of `planact {name}` (what the ledger cannot answer yet); sends nothing.\n\nExample:\n  planact batch prepare {name} --input samples/trajectories.jsonl --out plans.jsonl --model gpt-4o-mini",
            StageInvocation.BatchSubmit => $"Submit the requests of `planact {name}` that the ledger cannot answer as Batch API jobs, and return; `planact batch collect` fetches the answers.\n\nExample:\n  planact batch submit {name} --input samples/trajectories.jsonl --out plans.jsonl --model gpt-4o-mini",
            _ => description,
        });
        teacher.AddTo(command);
        if (invocation == StageInvocation.BatchPrepare)
        {
            command.Options.Add(RequestsDir);
        }

        if (invocation == StageInvocation.Run)
        {
            command.Options.Add(ShardFlag);
        }

        return command;
    }

    /// <summary>Runs an item stage: one record per input item, through the <see cref="StageRunner{TIn,TOut}"/>.</summary>
    public static Task<int> RunAsync<TIn, TOut>(
        StageInvocation invocation,
        ParseResult parse,
        TeacherArguments teacher,
        string outPath,
        Func<TeacherSession, ITeacherStage<TIn, TOut>> createStage,
        Func<IAsyncEnumerable<TIn>> input,
        CancellationToken cancellationToken) =>
        RunCoreAsync(
            invocation,
            parse,
            teacher,
            session =>
            {
                var stage = createStage(session);
                var runner = new StageRunner<TIn, TOut>(stage, session) { Shard = invocation == StageInvocation.Run ? ParseShard(parse.GetValue(ShardFlag)) : null };
                return (stage.Name, (StageRun)((mode, batch, progress) => runner.RunAsync(input, outPath, mode, batch, progress, cancellationToken)));
            },
            summary => Report(summary, outPath),
            cancellationToken);

    /// <summary>
    /// Runs any teacher-driven work that ends in a <see cref="StageSummary"/>: opens the teacher, runs it with progress,
    /// then reports (<paramref name="report"/> gives the exit code of a real run), or writes or submits its batch requests.
    /// </summary>
    public static Task<int> RunAsync(
        StageInvocation invocation,
        ParseResult parse,
        TeacherArguments teacher,
        Func<TeacherSession, (string Stage, StageRun Run)> prepare,
        Func<StageSummary, int> report,
        CancellationToken cancellationToken) =>
        invocation == StageInvocation.Run && parse.GetValue(ShardFlag) is not null
            ? throw new CommandLineException("--shard splits the items of an item stage; this command's work is not split by item")
            : RunCoreAsync(invocation, parse, teacher, prepare, report, cancellationToken);

    private static async Task<int> RunCoreAsync(
        StageInvocation invocation,
        ParseResult parse,
        TeacherArguments teacher,
        Func<TeacherSession, (string Stage, StageRun Run)> prepare,
        Func<StageSummary, int> report,
        CancellationToken cancellationToken)
    {
        var options = teacher.Resolve(parse);
        var mode = invocation == StageInvocation.Run ? teacher.Mode(parse) : TeacherMode.DryRun;
        if (invocation != StageInvocation.Run && teacher.Mode(parse) != TeacherMode.Online)
        {
            throw new CommandLineException("--dry-run and --batch belong to a stage run, not to planact batch");
        }

        if (invocation == StageInvocation.BatchSubmit && !options.IsConfigured)
        {
            throw new CommandLineException("no teacher is configured to submit to: set --model (or PLANACT_MODEL) and the endpoint");
        }

        if (mode != TeacherMode.DryRun && !options.IsConfigured)
        {
            return NoTeacher(dryRunHint: true);
        }

        using var telemetry = teacher.Telemetry(parse, PipelineRunner.NewRunId());
        await using var session = await TeacherSession.OpenAsync(options, teacher.MaxCost(parse), cancellationToken: cancellationToken);
        var (stage, run) = prepare(session);
        Console.Error.WriteLine($"planact: {stage}: teacher {options}; ledger {session.Ledger.Path}");
        var batch = mode == TeacherMode.Batch ? session.CreateBatchRunner(teacher.BatchSettings(parse)) : null;
        var summary = await ProgressView.RunAsync(stage, progress => run(mode, batch, progress));
        switch (invocation)
        {
            case StageInvocation.BatchPrepare:
                var directory = parse.GetValue(RequestsDir) ?? Path.Combine(Path.GetDirectoryName(session.Ledger.Path)!, "batches", stage);
                var files = await BatchRequestFiles.WriteAsync(summary.Pending, directory, teacher.BatchSettings(parse), cancellationToken: cancellationToken);
                foreach (var file in files)
                {
                    Console.WriteLine($"{file.Path}: {file.Keys.Count} requests for {file.Model}, {file.Bytes:N0} bytes");
                }

                Console.WriteLine($"prepared {summary.Pending.Count} requests in {files.Count} files; `planact batch submit {stage} …` sends them");
                return ReportEstimate(summary, session);
            case StageInvocation.BatchSubmit:
                var submitted = await session.CreateBatchRunner(teacher.BatchSettings(parse)).SubmitAsync(summary.Pending, cancellationToken: cancellationToken);
                foreach (var created in submitted)
                {
                    Console.WriteLine($"{created.Id}: {created.Requests} requests, {created.Status}");
                }

                Console.WriteLine($"submitted {submitted.Sum(b => b.Requests)} of {summary.Pending.Count} requests (the rest are answered or already in an open batch); `planact batch collect --wait` fetches the answers, then run `planact {stage}` again");
                return ExitCodes.Ok;
            default:
                return mode == TeacherMode.DryRun ? ReportEstimate(summary, session) : report(summary);
        }
    }

    /// <summary>Prints the counts, costs and stop reason of a run; the exit code of an item stage.</summary>
    public static int Report(StageSummary summary, string outPath)
    {
        PrintOutcome(summary, outPath);
        if (summary.StoppedBecause is { } reason)
        {
            Console.Error.WriteLine($"planact: {reason}");
            return ExitCodes.Stopped;
        }

        if (!summary.Complete)
        {
            Console.Error.WriteLine($"planact: {summary.Pending.Count} requests are still waiting for answers; run again to continue");
            return ExitCodes.Stopped;
        }

        return summary.Quarantined + summary.Skipped.Count > 0 ? ExitCodes.InvalidItemsSkipped : ExitCodes.Ok;
    }

    /// <summary>What a stage run did: skipped items, spending, counts, where the quarantine file is.</summary>
    public static void PrintOutcome(StageSummary summary, string outPath)
    {
        foreach (var (id, why) in summary.Skipped.Take(50))
        {
            Console.Error.WriteLine($"planact: skipped {id}: {why}");
        }

        ReportCosts(summary.Costs);

        Console.Error.WriteLine(
            $"planact: {summary.Stage}: {summary.Ok + summary.AlreadyDone} ok ({summary.AlreadyDone} from an earlier run), {summary.Quarantined} quarantined, {summary.Skipped.Count} skipped -> {outPath}");
        if (summary.Quarantined > 0)
        {
            Console.Error.WriteLine($"planact: quarantined items with their reasons and attempts: {QuarantineFile.PathBeside(outPath)}");
        }

        if (summary.DroppedRecords > 0)
        {
            Console.Error.WriteLine($"planact: warning: {summary.DroppedRecords} records in {outPath} were for items not in this input and were removed");
        }
    }

    /// <summary>Says that no teacher is configured and how to configure one; the exit code of a command that needs one.</summary>
    /// <param name="dryRunHint">Whether the command offers --dry-run instead.</param>
    public static int NoTeacher(bool dryRunHint)
    {
        Console.Error.WriteLine($"planact: error: no teacher is configured. {HowToConfigure}" + (dryRunHint ? "; or use --dry-run to estimate without one." : "."));
        return ExitCodes.Usage;
    }

    /// <summary>One line per stage and model: requests sent and reused, tokens, dollars.</summary>
    public static void ReportCosts(IEnumerable<CostLine> costs)
    {
        foreach (var line in costs)
        {
            Console.Error.WriteLine($"planact: cost: {line.Stage} {line.Model}{(line.Batch ? " (batch)" : "")}: {line.Sent} sent, {line.Reused} from ledger, {line.InputTokens:N0} in + {line.OutputTokens:N0} out tokens, {TeacherArguments.Dollars(line.Dollars)}");
        }
    }

    private static int ReportEstimate(StageSummary summary, TeacherSession session)
    {
        Console.WriteLine($"dry run: {summary.Total} items, {summary.Pending.Count} requests to send (first attempts; re-asks and follow-up calls come on top), nothing sent or written");
        PrintEstimate(CostEstimate.Of(summary.Pending, session.Options.Prices, session.Options.Limits.AssumedOutputTokens), session.Options.IsConfigured);
        return ExitCodes.Ok;
    }

    /// <summary>The estimate per stage and model, its total, and what is missing to price or send it.</summary>
    public static void PrintEstimate(IReadOnlyList<CostEstimateLine> lines, bool configured)
    {
        foreach (var line in lines)
        {
            Console.WriteLine(
                $"  {line.Stage} {line.Model}: {line.Requests} requests, {line.InputTokens:N0} input tokens, up to {line.OutputTokens:N0} output tokens: online {TeacherArguments.Dollars(line.Online)}, batch {TeacherArguments.Dollars(line.Batch)}");
        }

        var total = CostEstimate.Total(lines);
        Console.WriteLine($"  total: online {TeacherArguments.Dollars(total.Online)}, batch {TeacherArguments.Dollars(total.Batch)}{(total.Unpriced is { } why ? $" ({why}{(configured ? "; add its price under prices: in the configuration" : "")})" : "")}");
        if (!configured)
        {
            Console.WriteLine("  no teacher is configured: name a model (--model or PLANACT_MODEL) to price the requests, and an endpoint to send them (see README, Teacher configuration)");
        }
    }
}
