using System.CommandLine;
using PlanAct.Export;
using PlanAct.IO;
using PlanAct.Teacher;
using PlanAct.Teacher.Cost;
using PlanAct.Teacher.Ledger;
using PlanAct.Training;

namespace PlanAct.Cli.Commands;

internal static class ExportCommand
{
    public static Command Build()
    {
        var input = new Option<string>("--input") { Description = "Example records (planact/example@1), plan records (planact/plan@1, made into planner examples) or replan records (planact/replan@1, made into replanner examples), JSONL.", Required = true };
        var format = new Option<string>("--format") { Description = "The fine-tuning format (see the README for each layout).", Required = true };
        format.AcceptOnlyFromAmong([.. ExampleFormatters.All.Select(f => f.Name)]);
        var output = new Option<string>("--out") { Description = "The JSONL file to write (whole or not at all).", Required = true };
        var maxTokens = new Option<int?>("--max-tokens") { Description = "Leave out (and list) examples with more tokens than this (o200k, all messages); nothing is cut." };
        maxTokens.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is <= 0)
            {
                result.AddError("--max-tokens must be a positive number");
            }
        });
        var withReasoning = new Option<bool>("--with-reasoning") { Description = "Put each example's reasoning before its target as <think>…</think>." };
        var card = new Option<string?>("--card") { Description = "Where to write the dataset card. Default: README.md beside --out, unless a README that planact did not write is there." };
        var maxPageTokens = CommandOptions.MaxPageTokens("the page of each planner or replanner example made from a plan or replan record");
        var skipInvalid = new Option<bool>("--skip-invalid") { Description = "Report invalid records and export the rest, instead of stopping." };
        var ledger = new Option<string>("--ledger") { Description = "The teacher ledger that prices the records' requests for the card.", DefaultValueFactory = _ => TeacherLedger.DefaultPath };
        var config = new Option<string?>("--config") { Description = "Teacher YAML whose prices: section overrides the default price table." };
        var command = new Command("export", "Export training examples for fine-tuning (OpenAI chat, ShareGPT/LLaMA-Factory, Alpaca, torchtune) with a dataset card.\n\nExample:\n  planact export --input executor.jsonl --format openai-chat --out train/executor.jsonl --max-tokens 16000")
        {
            input, format, output, maxTokens, withReasoning, card, maxPageTokens, skipInvalid, ledger, config,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(async () =>
        {
            var outputPath = parse.GetValue(output)!;
            var cardPath = parse.GetValue(card) ?? DatasetCard.DefaultPath(outputPath);
            if (parse.GetValue(card) is null && !DatasetCard.CanReplace(cardPath))
            {
                Console.Error.WriteLine($"planact: error: {cardPath} exists and planact did not write it; name another place for the dataset card with --card PATH");
                return ExitCodes.Usage;
            }

            var problems = new ProblemLog(parse.GetValue(skipInvalid));
            var builders = new ExampleBuilders(new ExamplePageOptions { MaxPageTokens = parse.GetValue(maxPageTokens) });
            var options = new ExportOptions(ExampleFormatters.ByName(parse.GetValue(format)!)!)
            {
                MaxTokens = parse.GetValue(maxTokens),
                WithReasoning = parse.GetValue(withReasoning),
            };
            var examples = TrainingRecords.ReadAsync(parse.GetValue(input)!, builders, problems, ct);
            var report = await DatasetExporter.WriteAsync(outputPath, examples, options, ct);
            var context = new CardContext(parse.GetValue(input)!, outputPath, options.Formatter.Name, options.WithReasoning, options.MaxTokens, CommandLine(), DateTimeOffset.UtcNow)
            {
                Ledger = parse.GetValue(ledger)!,
                Cost = await PriceAsync(report, parse.GetValue(ledger)!, parse.GetValue(config), ct),
            };
            await AtomicFile.WriteAllTextAsync(cardPath, DatasetCard.Render(report, context), ct);

            CommandRunner.ReportProblems(problems.Problems);
            foreach (var overlong in report.Overlong.Take(50))
            {
                Console.Error.WriteLine($"planact: example \"{overlong.Id}\" has {overlong.Tokens} tokens, over --max-tokens {options.MaxTokens}; left out");
            }

            if (options.WithReasoning && report.WithReasoning < report.Written)
            {
                Console.Error.WriteLine($"planact: warning: {report.Written - report.WithReasoning} examples have no reasoning; their targets have no <think> block");
            }

            Console.Error.WriteLine(
                $"planact: export: {report.Written} examples ok ({options.Formatter.Name}), {report.Overlong.Count} left out over the token limit, "
                + $"{problems.ErrorCount} skipped as invalid, {builders.PagesCut} pages cut -> {outputPath}; card -> {cardPath}");
            return problems.ErrorCount > 0 ? ExitCodes.InvalidItemsSkipped : ExitCodes.Ok;
        }, ct));
        return command;
    }

    /// <summary>The cost of the records' requests, or null when there are none to price or no ledger to price them from.</summary>
    private static async Task<RecordsCost?> PriceAsync(ExportReport report, string ledgerPath, string? configPath, CancellationToken cancellationToken)
    {
        if (report.TeacherRequests.Count == 0 || !File.Exists(ledgerPath))
        {
            return null;
        }

        var prices = (configPath is null ? new TeacherOptions() : TeacherConfigFile.Apply(new TeacherOptions(), configPath)).Prices;
        await using var ledger = await TeacherLedger.OpenAsync(ledgerPath, cancellationToken);
        return await RecordsCost.OfAsync(ledger, report.TeacherRequests, prices, cancellationToken);
    }

    private static string CommandLine() =>
        string.Join(' ', ["planact", .. Environment.GetCommandLineArgs().Skip(1).Select(a => a.Length > 0 && a.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:".Contains(c)) ? a : $"'{a.Replace("'", "'\\''", StringComparison.Ordinal)}'")]);
}
