using System.CommandLine;
using System.Globalization;
using PlanAct.Stages.Catalogue;
using PlanAct.Teacher;
using PlanAct.Teacher.Ledger;

namespace PlanAct.Cli.Commands;

/// <summary>
/// <c>planact batch prepare|submit|status|collect|cancel</c>: the Batch API cycle one step at a time, for runs that
/// outlive a terminal. Batches live in the ledger, so any later process can pick them up.
/// </summary>
internal static class BatchCommand
{
    public static Command Build(StageCatalogue catalogue)
    {
        var prepare = new Command("prepare", "Write the Batch API request files of a stage; sends nothing.\n\nExample:\n  planact batch prepare annotate --input samples/trajectories.jsonl --out plans.jsonl --model gpt-4o-mini");
        AddStages(prepare, StageInvocation.BatchPrepare, catalogue);
        var submit = new Command("submit", "Submit a stage's unanswered requests as Batch API jobs and return.\n\nExample:\n  planact batch submit annotate --input samples/trajectories.jsonl --out plans.jsonl --model gpt-4o-mini");
        AddStages(submit, StageInvocation.BatchSubmit, catalogue);
        var batch = new Command(
            "batch",
            "The Batch API step by step (stage commands take --batch to run the whole cycle and wait).\n\n"
            + "Example:\n  planact batch submit annotate --input samples/trajectories.jsonl --out plans.jsonl --model gpt-4o-mini\n  planact batch collect --wait --model gpt-4o-mini\n  planact annotate --input samples/trajectories.jsonl --out plans.jsonl --model gpt-4o-mini")
        {
            prepare, submit, Status(), Collect(), Cancel(),
        };
        return batch;
    }

    /// <summary>Every stage of the catalogue, as a subcommand of prepare or submit.</summary>
    private static void AddStages(Command parent, StageInvocation invocation, StageCatalogue catalogue)
    {
        foreach (var stage in catalogue.Stages)
        {
            parent.Subcommands.Add(StageCommand.Build(stage, invocation));
        }
    }

    private static Command Status()
    {
        var teacher = new TeacherArguments();
        var command = new Command("status", "Check every open batch once and list all batches in the ledger.\n\nExample:\n  planact batch status --model gpt-4o-mini");
        teacher.AddTo(command);
        command.SetAction((parse, ct) => WithRunnerAsync(parse, teacher, async runner =>
        {
            Print(await runner.StatusAsync(cancellationToken: ct));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command Collect()
    {
        var teacher = new TeacherArguments();
        var wait = new Option<bool>("--wait") { Description = "Keep polling (with backoff) until no batch is open." };
        var command = new Command("collect", "Download the results of finished batches into the ledger; a stage run then reads them without sending anything.\n\nExample:\n  planact batch collect --wait --model gpt-4o-mini") { wait };
        teacher.AddTo(command);
        command.SetAction((parse, ct) => WithRunnerAsync(parse, teacher, async runner =>
        {
            var settings = teacher.BatchSettings(parse);
            var delay = settings.PollInterval;
            while (true)
            {
                var result = await runner.CollectAsync(cancellationToken: ct);
                CliConsole.Current.Out.WriteLine($"collected {result.Answered} answers, {result.Failed.Count} failed requests, {result.StillOpen} batches still open");
                foreach (var (key, reason) in result.Failed.Take(20))
                {
                    CliConsole.Current.Error.WriteLine($"planact: request {key}: {reason}");
                }

                if (!parse.GetValue(wait) || result.StillOpen == 0)
                {
                    return result.StillOpen == 0 ? ExitCodes.Ok : ExitCodes.Stopped;
                }

                await Task.Delay(delay, ct);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, settings.MaxPollInterval.Ticks));
            }
        }, ct));
        return command;
    }

    private static Command Cancel()
    {
        var teacher = new TeacherArguments();
        var id = new Argument<string?>("batch-id") { Description = "The batch to cancel; all open batches when left out.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("cancel", "Cancel one open batch, or all of them. Results they already produced are kept by `batch collect`.\n\nExample:\n  planact batch cancel --model gpt-4o-mini") { id };
        teacher.AddTo(command);
        command.SetAction((parse, ct) => WithRunnerAsync(parse, teacher, async runner =>
        {
            Print(await runner.CancelAsync(parse.GetValue(id), ct));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Task<int> WithRunnerAsync(ParseResult parse, TeacherArguments teacher, Func<Teacher.Batch.BatchRunner, Task<int>> body, CancellationToken ct) =>
        CommandRunner.RunAsync(async () =>
        {
            var options = teacher.Resolve(parse);
            await using var session = await TeacherSession.OpenAsync(options, cancellationToken: ct);
            return await body(session.CreateBatchRunner(teacher.BatchSettings(parse)));
        }, ct);

    private static void Print(IReadOnlyList<LedgerBatch> batches)
    {
        if (batches.Count == 0)
        {
            CliConsole.Current.Out.WriteLine("no batches in the ledger");
        }

        foreach (var b in batches)
        {
            CliConsole.Current.Out.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{b.Id}  {b.Status,-11} round {b.Round}  {b.Requests} requests: {b.Answered} answered, {b.Failed} failed, {b.Waiting} waiting  created {b.CreatedAt:u}{(b.IsOpen ? "" : "  collected")}"));
        }
    }
}
