using System.CommandLine;
using PlanAct.IO;
using PlanAct.Pipeline;
using PlanAct.Stages;
using PlanAct.Stages.Catalogue;
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

/// <summary>What every teacher-driven command does around its stage: the teacher, the run, the report, the exit code.</summary>
internal static class StageCommand
{
    /// <summary>What to set for a teacher, in one sentence.</summary>
    public const string HowToConfigure =
        "Set --model (or PLANACT_MODEL) and --base-url / OPENAI_API_KEY, or AZURE_OPENAI_ENDPOINT / AZURE_OPENAI_API_KEY / AZURE_OPENAI_DEPLOYMENT (README, Teacher configuration)";

    private static readonly Option<string?> RequestsDir = new("--dir") { Description = "Where to write the batch request files. [default: batches/<stage> beside the ledger]" };

    /// <summary>
    /// Names a stage command and adds its options in the order help shows them: the stage's own (required ones first),
    /// then the teacher flags, then those of its invocation.
    /// </summary>
    public static Command Create(StageInvocation invocation, string name, string description, TeacherArguments teacher, IEnumerable<Option> options)
    {
        var command = new Command(name, description);
        foreach (var option in options.OrderBy(o => o.Required ? 0 : 1))
        {
            command.Options.Add(option);
        }

        teacher.AddTo(command);
        if (invocation == StageInvocation.BatchPrepare)
        {
            command.Options.Add(RequestsDir);
        }

        if (invocation == StageInvocation.Run)
        {
            ShardFlags.AddTo(command);
        }

        return command;
    }

    /// <summary>The command of a catalogue stage: <c>planact &lt;stage&gt;</c>, or its <c>planact batch prepare|submit</c> subcommand.</summary>
    public static Command Build(StageDefinition stage, StageInvocation invocation)
    {
        var inputs = stage.Inputs.Select(i => new Option<string>(i.Flag) { Description = i.Help, Required = true }).ToList();
        var output = new Option<string>("--out") { Description = stage.Output.Help, Required = true };
        var options = stage.Options.Where(o => invocation == StageInvocation.Run || o.UnderBatch is null).Select(StageOptionFlag.Of).ToList();
        var skipInvalid = new Option<bool>("--skip-invalid") { Description = $"Report invalid {stage.InvalidItems} and go on with the rest, instead of stopping." };
        Option<bool>[] replaceInvalidUtf8 = stage.Inputs.Any(i => i.Stage is null) ? [CommandOptions.ReplaceInvalidUtf8()] : [];
        Option<Trajectories.TrajectoryFormat?>[] format = stage.Inputs.Any(i => i.Stage is null && i.Flag == "--input") ? [CommandOptions.TrajectoryFormat()] : [];
        var teacher = new TeacherArguments();
        var example = stage.Examples[0];
        var description = invocation switch
        {
            StageInvocation.BatchPrepare => $"Write the Batch API request files of `planact {stage.Name}` (what the ledger cannot answer yet); sends nothing.\n\nExample:\n  {example.Replace("planact ", "planact batch prepare ", StringComparison.Ordinal)}",
            StageInvocation.BatchSubmit => $"Submit the requests of `planact {stage.Name}` that the ledger cannot answer as Batch API jobs, and return; `planact batch collect` fetches the answers.\n\nExample:\n  {example.Replace("planact ", "planact batch submit ", StringComparison.Ordinal)}",
            _ => $"{stage.Description}\n\nExample:\n  {string.Join("\n  ", stage.Examples)}",
        };
        var command = Create(invocation, stage.Name, description, teacher, [.. inputs, output, .. options.Select(o => o.Option), skipInvalid, .. replaceInvalidUtf8, .. format]);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(async () =>
        {
            var given = options.ToDictionary(o => o.Spec.Key, o => o.Read(parse), StringComparer.Ordinal);
            foreach (var implied in stage.Options.Where(o => invocation != StageInvocation.Run && o.UnderBatch is not null))
            {
                given[implied.Key] = implied.UnderBatch;
            }

            var values = new StageOptionValues(stage.Options, given);
            var shard = invocation == StageInvocation.Run ? ShardFlags.Of(parse) : null;
            if (shard is not null && !stage.SplitsByItem)
            {
                throw new CommandLineException("--shard splits the items of an item stage; this command's work is not split by item");
            }

            CommandOptions.RefuseOutputOverInput(parse.GetValue(output)!, inputs.Select(i => parse.GetValue(i)!));
            var problems = new ProblemLog(parse.GetValue(skipInvalid));
            var setup = new StageSetup
            {
                Options = values,
                Inputs = inputs.ToDictionary(i => i.Name, i => parse.GetValue(i)!, StringComparer.Ordinal),
                OutPath = parse.GetValue(output)!,
                Problems = problems,
                ReplaceInvalidUtf8 = replaceInvalidUtf8.Any(parse.GetValue),
                TrajectoryFormat = format.Select(parse.GetValue).FirstOrDefault(f => f is not null),
                Shard = shard,
            };
            if (!stage.AsksTeacher(values) && teacher.Mode(parse) != TeacherMode.Online)
            {
                var flag = "--" + stage.TeacherSwitch!.Replace('_', '-');
                throw new CommandLineException($"--dry-run and --batch need {flag}: {stage.Name} without {flag} asks no teacher");
            }

            var job = await stage.OpenAsync(setup, ct);
            foreach (var note in job.Notes)
            {
                CliConsole.Current.Error.WriteLine($"planact: {note}");
            }

            var code = stage.AsksTeacher(values)
                ? await RunAsync(invocation, parse, teacher, stage.Name, job, ct)
                : Report(await job.RunAsync(new StageRunContext(null, TeacherMode.Online, null, null), ct));
            CommandRunner.ReportProblems(problems.Problems);
            return code == ExitCodes.Ok && problems.ErrorCount > 0 ? ExitCodes.InvalidItemsSkipped : code;
        }, ct));
        return command;
    }

    /// <summary>
    /// Runs a stage's teacher work: opens the teacher, runs it with progress, then reports (a real run), prints the
    /// estimate (a dry run), or writes or submits its batch requests.
    /// </summary>
    public static async Task<int> RunAsync(StageInvocation invocation, ParseResult parse, TeacherArguments teacher, string stage, StageJob job, CancellationToken cancellationToken)
    {
        var options = ShardFlags.ShareLimits(parse, teacher.Resolve(parse));
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
        await using var session = invocation == StageInvocation.Run
            ? await teacher.OpenSessionAsync(parse, options, mode, [stage], cancellationToken)
            : await TeacherSession.OpenAsync(options, teacher.Budget(parse, [stage]), cancellationToken: cancellationToken);
        CliConsole.Current.Error.WriteLine($"planact: {stage}: teacher {options}; ledger {TeacherArguments.Describe(session.Ledger)}");
        var batch = mode == TeacherMode.Batch ? session.CreateBatchRunner(teacher.BatchSettings(parse)) : null;
        var result = await ProgressView.RunAsync(stage, progress => job.RunAsync(new StageRunContext(session, mode, batch, progress), cancellationToken));
        var summary = result.Run ?? throw new InvalidOperationException($"{stage} asked no teacher");
        switch (invocation)
        {
            case StageInvocation.BatchPrepare:
                var directory = parse.GetValue(RequestsDir) ?? Path.Combine(Path.GetDirectoryName(session.Ledger.Path)!, "batches", stage);
                var files = await BatchRequestFiles.WriteAsync(summary.Pending, directory, teacher.BatchSettings(parse), cancellationToken: cancellationToken);
                foreach (var file in files)
                {
                    CliConsole.Current.Out.WriteLine($"{file.Path}: {file.Keys.Count} requests for {file.Model}, {file.Bytes:N0} bytes");
                }

                CliConsole.Current.Out.WriteLine($"prepared {summary.Pending.Count} requests in {files.Count} files; `planact batch submit {stage} …` sends them");
                return ReportEstimate(summary, session);
            case StageInvocation.BatchSubmit:
                var submitted = await session.CreateBatchRunner(teacher.BatchSettings(parse)).SubmitAsync(summary.Pending, cancellationToken: cancellationToken);
                foreach (var created in submitted)
                {
                    CliConsole.Current.Out.WriteLine($"{created.Id}: {created.Requests} requests, {created.Status}");
                }

                CliConsole.Current.Out.WriteLine($"submitted {submitted.Sum(b => b.Requests)} of {summary.Pending.Count} requests (the rest are answered or already in an open batch); `planact batch collect --wait` fetches the answers, then run `planact {stage}` again");
                return ExitCodes.Ok;
            case StageInvocation.Run when mode == TeacherMode.DryRun:
                var estimated = ReportEstimate(summary, session);
                Details(result);
                return estimated;
            default:
                return Report(result);
        }
    }

    /// <summary>Prints what a stage's run did; its exit code.</summary>
    private static int Report(NodeResult result)
    {
        var code = result.Run is { } run && result.RunOutput is { } runOutput ? Report(run, runOutput) : ExitCodes.Ok;
        Details(result);
        // A generation run can end short of its target with every request answered, or leave out pairs its CoT round could not reason about.
        return code != ExitCodes.Ok ? code
            : result.Status is NodeStatus.Stopped or NodeStatus.Waiting ? ExitCodes.Stopped
            : result.Problems > 0 ? ExitCodes.InvalidItemsSkipped
            : ExitCodes.Ok;
    }

    /// <summary>Prints a stage's detail lines (what pairing left out, what it followed).</summary>
    public static void Details(NodeResult result)
    {
        foreach (var line in result.Details)
        {
            CliConsole.Current.Error.WriteLine($"planact: {line}");
        }
    }

    /// <summary>Prints the counts, costs and stop reason of a run; the exit code of an item stage.</summary>
    public static int Report(StageSummary summary, string outPath)
    {
        PrintOutcome(summary, outPath);
        ReportCosts(summary.Costs);
        if (summary.StoppedBecause is { } reason)
        {
            CliConsole.Current.Error.WriteLine($"planact: {reason}");
            return ExitCodes.Stopped;
        }

        if (!summary.Complete)
        {
            CliConsole.Current.Error.WriteLine($"planact: {summary.Pending.Count} requests are still waiting for answers; run again to continue");
            return ExitCodes.Stopped;
        }

        return summary.Quarantined + summary.Skipped.Count > 0 ? ExitCodes.InvalidItemsSkipped : ExitCodes.Ok;
    }

    /// <summary>What a stage run did: skipped items, counts, where the quarantine file is (its spending is in the run's one cost summary).</summary>
    public static void PrintOutcome(StageSummary summary, string outPath)
    {
        foreach (var (id, why) in summary.Skipped.Take(50))
        {
            CliConsole.Current.Error.WriteLine($"planact: skipped {id}: {why}");
        }

        CliConsole.Current.Error.WriteLine(
            $"planact: {summary.Stage}: {summary.Ok + summary.AlreadyDone} ok ({summary.AlreadyDone} from an earlier run), {summary.Quarantined} quarantined, {summary.Skipped.Count} skipped -> {outPath}");
        if (summary.Quarantined > 0)
        {
            CliConsole.Current.Error.WriteLine($"planact: quarantined items with their reasons and attempts: {QuarantineFile.PathBeside(outPath)}");
        }

        if (summary.DroppedRecords > 0)
        {
            CliConsole.Current.Error.WriteLine($"planact: warning: {summary.DroppedRecords} records in {outPath} were for items not in this input and were removed");
        }
    }

    /// <summary>Says that no teacher is configured and how to configure one; the exit code of a command that needs one.</summary>
    /// <param name="dryRunHint">Whether the command offers --dry-run instead.</param>
    public static int NoTeacher(bool dryRunHint)
    {
        CliConsole.Current.Error.WriteLine($"planact: error: no teacher is configured. {HowToConfigure}" + (dryRunHint ? "; or use --dry-run to estimate without one." : "."));
        return ExitCodes.Usage;
    }

    /// <summary>The run's one cost summary: a line per stage and model (requests sent and reused, tokens, dollars), then the total.</summary>
    public static void ReportCosts(IReadOnlyList<CostLine> costs)
    {
        foreach (var line in costs.Count > 1 ? [.. costs, CostLine.Total(costs)] : costs)
        {
            var name = line.Model.Length == 0 ? line.Stage : $"{line.Stage} {line.Model}{(line.Batch ? " (batch)" : "")}";
            CliConsole.Current.Error.WriteLine($"planact: cost: {name}: {line.Sent} sent, {line.Reused} from ledger, {line.InputTokens:N0} in + {line.OutputTokens:N0} out tokens, {TeacherArguments.Dollars(line.Dollars)}");
        }
    }

    private static int ReportEstimate(StageSummary summary, TeacherSession session)
    {
        CliConsole.Current.Out.WriteLine($"dry run: {summary.Total} items, {summary.Pending.Count} requests to send (first attempts; re-asks and follow-up calls come on top), nothing sent or written");
        PrintEstimate(CostEstimate.Of(summary.Pending, session.Options.Prices, session.Options.Limits.AssumedOutputTokens), session.Options.IsConfigured);
        return ExitCodes.Ok;
    }

    /// <summary>The estimate per stage and model, its total, and what is missing to price or send it.</summary>
    public static void PrintEstimate(IReadOnlyList<CostEstimateLine> lines, bool configured)
    {
        foreach (var line in lines)
        {
            CliConsole.Current.Out.WriteLine(
                $"  {line.Stage} {line.Model}: {line.Requests} requests, {line.InputTokens:N0} input tokens, up to {line.OutputTokens:N0} output tokens: online {TeacherArguments.Dollars(line.Online)}, batch {TeacherArguments.Dollars(line.Batch)}");
        }

        var total = CostEstimate.Total(lines);
        CliConsole.Current.Out.WriteLine($"  total: online {TeacherArguments.Dollars(total.Online)}, batch {TeacherArguments.Dollars(total.Batch)}{(total.Unpriced is { } why ? $" ({why}{(configured ? "; add its price under prices: in the configuration" : "")})" : "")}");
        if (total.AtCommonModels.Count > 0)
        {
            CliConsole.Current.Out.WriteLine($"  with no model named, the requests would cost: {CostEstimate.DescribeCommonModels(total.AtCommonModels, TeacherArguments.Dollars)}");
        }

        if (!configured)
        {
            CliConsole.Current.Out.WriteLine("  no teacher is configured: name a model (--model or PLANACT_MODEL) to price the requests, and an endpoint to send them (see README, Teacher configuration)");
        }
    }
}
