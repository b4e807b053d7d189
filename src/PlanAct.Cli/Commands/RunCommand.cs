using System.CommandLine;
using PlanAct.IO;
using PlanAct.Pipeline;
using PlanAct.Stages;
using PlanAct.Teacher;

namespace PlanAct.Cli.Commands;

internal static class RunCommand
{
    public static Command Build()
    {
        var file = new Argument<string?>("pipeline") { Description = "The pipeline YAML file. [default: samples/pipeline.yaml, the bundled samples]", Arity = ArgumentArity.ZeroOrOne };
        var runDir = new Option<string?>("--run-dir") { Description = "Where outputs, statistics, run.json and report.html go. [default: the pipeline's run_dir]" };
        var replaceInvalidUtf8 = CommandOptions.ReplaceInvalidUtf8();
        var teacher = new TeacherArguments();
        var command = new Command(
            "run",
            "Run a whole pipeline from one YAML file: inputs, teacher and per-stage settings, the stages (a dependency graph: each starts once the stages it needs are done, independent ones at the same time) and their options. "
            + "Every stage resumes from the ledger and its output; run.json and report.html are written at the end. Without a teacher it is a dry run: "
            + "inputs validated, every request built, Batch API request files and a per-stage estimate written.\n\n"
            + "Example:\n  planact run\n  planact run samples/pipeline.yaml --model gpt-4o-mini --max-cost 5\n  planact run my-pipeline.yaml --run-dir runs/today --batch")
        {
            file, runDir, replaceInvalidUtf8,
        };
        ShardFlags.AddTo(command);
        teacher.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(async () =>
        {
            var path = parse.GetValue(file) ?? PipelineDefinition.SamplesPath;
            if (parse.GetValue(file) is null && !File.Exists(path))
            {
                throw new CommandLineException($"no pipeline named and {path} is not here: run from the repository root, or name a pipeline file");
            }

            var pipeline = PipelineDefinition.Load(path);
            if (parse.GetValue(runDir) is { } dir)
            {
                pipeline = pipeline with { RunDir = Path.GetFullPath(dir) };
            }

            if (parse.GetValue(replaceInvalidUtf8))
            {
                pipeline = pipeline with { ReplaceInvalidUtf8 = true };
            }

            var stages = PipelineGraph.Order(pipeline, PipelineRegistry.Default).Select(n => n.Name).ToList();
            var options = ShardFlags.ShareLimits(parse, teacher.Resolve(parse, pipelineTeacher: pipeline.ApplyTeacher));
            options = options with { LedgerPath = options.LedgerPath ?? Path.Combine(pipeline.RunDir, "ledger.db") };
            var mode = teacher.Mode(parse);
            if (!options.IsConfigured && mode == TeacherMode.Batch)
            {
                throw new CommandLineException($"--batch needs a teacher. {StageCommand.HowToConfigure}");
            }

            var runId = PipelineRunner.NewRunId();
            using var telemetry = teacher.Telemetry(parse, runId);
            var configured = options.IsConfigured;
            mode = configured ? mode : TeacherMode.DryRun;
            await using var session = await teacher.OpenSessionAsync(parse, options, mode, stages, ct);
            CliConsole.Current.Error.WriteLine($"planact: run {pipeline.Name} ({string.Join(" → ", stages)}){(mode == TeacherMode.DryRun ? ", dry run" : "")}: teacher {options}; ledger {TeacherArguments.Describe(session.Ledger)}; run dir {pipeline.RunDir}");
            var run = new PipelineRunOptions
            {
                Mode = mode,
                Batch = mode == TeacherMode.Batch ? session.CreateBatchRunner(teacher.BatchSettings(parse)) : null,
                BatchSettings = teacher.BatchSettings(parse),
                Shard = ShardFlags.Of(parse),
                CommandLine = CommandRunner.CommandLine(),
                RunId = runId,
                Logger = telemetry.CreateLogger("PlanAct.Pipeline"),
            };
            var result = await ProgressView.RunAsync(stages, progress => PipelineRunner.RunAsync(pipeline, session, run with { Progress = progress }, cancellationToken: ct));
            return Report(result, session, configured);
        }, ct));
        return command;
    }

    private static int Report(PipelineResult result, TeacherSession session, bool configured)
    {
        CommandRunner.ReportProblems(result.Problems);
        foreach (var stage in result.Stages)
        {
            if (stage.Run is { } run && stage.RunOutput is { } runOutput && stage.Status != NodeStatus.Waiting)
            {
                StageCommand.PrintOutcome(run, runOutput);
            }

            CliConsole.Current.Error.WriteLine($"planact: {stage.Stage}: {stage.Status.ToString().ToLowerInvariant()}: {stage.Summary}");
            StageCommand.Details(stage);
            if (stage.Run?.StoppedBecause is { } reason)
            {
                CliConsole.Current.Error.WriteLine($"planact: {reason}");
            }
        }

        if (result.Estimate.Count > 0)
        {
            CliConsole.Current.Out.WriteLine(result.Mode == TeacherMode.DryRun
                ? $"dry run: {result.Estimate.Sum(e => e.Requests)} requests to send (first attempts; re-asks and the stages after them come on top), nothing sent"
                : $"{result.Estimate.Sum(e => e.Requests)} requests are still waiting for answers; run again to continue");
            StageCommand.PrintEstimate(result.Estimate, configured);
        }

        foreach (var requests in result.RequestFiles)
        {
            CliConsole.Current.Out.WriteLine($"{requests.Path}: {requests.Keys.Count} Batch API requests for {requests.Model}");
        }

        if (!configured)
        {
            CliConsole.Current.Out.WriteLine($"no teacher is configured, so this was a dry run. {StageCommand.HowToConfigure}; then run the same command again.");
        }

        StageCommand.ReportCosts(session.Meter.Lines());
        CliConsole.Current.Out.WriteLine($"report: {result.ReportPath}");
        CliConsole.Current.Error.WriteLine($"planact: run {result.RunId}: {session.Meter.Lines().Sum(l => l.Sent)} requests sent, {session.Meter.Lines().Sum(l => l.Reused)} answered from the ledger; manifest {result.ManifestPath}");
        if (result.Mode == TeacherMode.DryRun)
        {
            return ExitCodes.Ok;
        }

        if (result.Stages.Any(s => s.Status is NodeStatus.Stopped or NodeStatus.Waiting or NodeStatus.Blocked))
        {
            return ExitCodes.Stopped;
        }

        return result.Stages.Any(s => s.Problems > 0) || result.Problems.Any(p => p.Severity == InputProblem.Error) ? ExitCodes.InvalidItemsSkipped : ExitCodes.Ok;
    }
}
