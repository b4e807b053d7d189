using System.CommandLine;
using PlanAct.Export;
using PlanAct.IO;
using PlanAct.Plans.Hindsight;
using PlanAct.Teacher;
using PlanAct.Teacher.Ledger;
using PlanAct.Training;
using PlanAct.Training.Profiles;

namespace PlanAct.Cli.Commands;

internal static class ExportCommand
{
    public static Command Build()
    {
        var input = new Option<string[]>("--input")
        {
            Description = "Example records (planact/example@1), plan records (planact/plan@2, made into planner examples) or replan records (planact/replan@2, made into replanner examples), JSONL. "
                + "Repeat it to mix several files into one (e.g. grounded, synthetic and targeted plans), interleaved by --seed.",
            Required = true,
            Arity = ArgumentArity.OneOrMore,
        };
        var format = new Option<string>("--format") { Description = "The fine-tuning format (see the README for each layout); hf writes a Hugging Face dataset folder at --out.", Required = true };
        format.AcceptOnlyFromAmong([.. ExampleFormatters.All.Select(f => f.Name)]);
        var output = new Option<string>("--out") { Description = "The JSONL file to write (whole or not at all), or the folder for --format hf.", Required = true };
        var trainEarlierTurns = new Option<bool>("--train-earlier-turns") { Description = "openai-chat: leave out the \"weight\": 0 on assistant turns before the target, so OpenAI trains the history too." };
        var validation = new Option<double?>("--validation")
        {
            Description = "The fraction of trajectories (above 0, at most 0.5) in a validation split, chosen by a hash of their ids and --seed (the same on every export; a trajectory and the generated plans "
                + "that start from its first page stay on one side): a split of an hf folder, else <out-name>.validation.jsonl beside --out.",
        };
        var trajectories = new Option<string?>("--trajectories")
        {
            Description = "The trajectories of the grounded plans among the inputs (a file or folder): each plan is also checked against its trajectory's later pages, notes and final answer, "
                + "which a plan record does not hold (without it, against its own grounding only).",
        };
        var seed = new Option<int>("--seed") { Description = "The seed that interleaves several --input files and draws the --validation split.", DefaultValueFactory = _ => 0 };
        validation.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double?>() is { } fraction && fraction is not (> 0 and <= 0.5))
            {
                result.AddError("--validation must be above 0 and at most 0.5");
            }
        });
        var maxTokens = new Option<int?>("--max-tokens") { Description = "Leave out (and list) examples with more tokens than this (o200k, all messages); nothing is cut." };
        maxTokens.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is <= 0)
            {
                result.AddError("--max-tokens must be a positive number");
            }
        });
        var withReasoning = new Option<bool>("--with-reasoning") { Description = "Put each example's reasoning before its target as <think>…</think>." };
        var allowHindsight = new Option<bool>("--allow-hindsight") { Description = "Keep planner and replanner examples that name values only later pages, notes or the final answer show (listed, and marked in the card); by default they are left out." };
        var card = new Option<string?>("--card") { Description = "Where to write the dataset card (refused over a file that planact did not write). [default: <out-name>.card.md beside --out, README.md inside an hf folder]" };
        var maxPageTokens = CommandOptions.MaxPageTokens("every page the profile renders (examples laid out again: planner and replanner examples, and executor examples under a profile other than planact)", fallback: null);
        var profile = CommandOptions.Profile("the examples are laid out in (the one the trained model must be run with)");
        var skipInvalid = new Option<bool>("--skip-invalid") { Description = "Report invalid records and export the rest, instead of stopping." };
        var ledger = new Option<string>("--ledger") { Description = "The teacher ledger that prices the records' requests for the card.", DefaultValueFactory = _ => TeacherLedger.DefaultPath };
        var config = new Option<string?>("--config") { Description = "Teacher YAML whose prices: section overrides the default price table." };
        var command = new Command("export", "Export training examples for fine-tuning (OpenAI chat, ShareGPT/LLaMA-Factory, Alpaca, torchtune) with a dataset card.\n\nExample:\n  planact export --input executor.jsonl --format openai-chat --out train/executor.jsonl --max-tokens 16000\n  planact export --input executor.cot.jsonl --format openai-chat --profile plan-and-act --out train/executor.pa.jsonl\n  planact export --input plans.cot.jsonl --input synthetic.cot.jsonl --input targeted.cot.jsonl --format openai-chat --validation 0.05 --seed 42 --out train/planner.jsonl")
        {
            input, format, output, profile, maxTokens, withReasoning, allowHindsight, trainEarlierTurns, validation, seed, trajectories, card, maxPageTokens, skipInvalid, ledger, config,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(async () =>
        {
            var outputPath = parse.GetValue(output)!;
            var inputs = parse.GetValue(input)!;
            var split = new ExampleSplit(parse.GetValue(validation) ?? 0, parse.GetValue(seed));
            var exportFormat = ExampleFormatters.ByName(parse.GetValue(format)!, new FormatSettings(parse.GetValue(trainEarlierTurns), split))!;
            var cardPath = parse.GetValue(card) ?? exportFormat.DefaultCardPath(outputPath);
            foreach (var written in exportFormat is SplitFileFormat ? [outputPath, SplitFileFormat.ValidationPath(outputPath), cardPath] : new[] { outputPath, cardPath })
            {
                foreach (var path in inputs)
                {
                    CommandOptions.RefuseOutputOverInput(written, path);
                }
            }

            if (parse.GetValue(card) is null && !DatasetCard.CanReplace(cardPath))
            {
                CliConsole.Current.Error.WriteLine($"planact: error: {cardPath} exists and planact did not write it; name another place for the dataset card with --card PATH");
                return ExitCodes.Usage;
            }

            var problems = new ProblemLog(parse.GetValue(skipInvalid));
            var options = new ExportOptions(exportFormat)
            {
                MaxTokens = parse.GetValue(maxTokens),
                WithReasoning = parse.GetValue(withReasoning),
                AllowHindsight = parse.GetValue(allowHindsight),
                Profile = PromptProfile.Load(parse.GetValue(profile)!),
                Seed = parse.GetValue(seed),
                Trajectories = parse.GetValue(trajectories),
            };
            var pages = new ExamplePageOptions { MaxPageTokens = parse.GetValue(maxPageTokens) };
            var prices = (parse.GetValue(config) is { } configPath ? TeacherConfigFile.Apply(new TeacherOptions(), configPath) : new TeacherOptions()).Prices;
            var (report, pagesCut) = await DatasetExporter.ExportFileAsync(
                inputs, outputPath, cardPath, options, pages, new CardSources(CommandRunner.CommandLine(), parse.GetValue(ledger)!, prices), problems, ct);

            CommandRunner.ReportProblems(problems.Problems);
            foreach (var overlong in report.Overlong.Take(50))
            {
                CliConsole.Current.Error.WriteLine($"planact: example \"{overlong.Id}\" has {overlong.Tokens} tokens, over --max-tokens {options.MaxTokens}; left out");
            }

            foreach (var refused in report.Refused.Take(50))
            {
                CliConsole.Current.Error.WriteLine($"planact: example \"{refused.Id}\" left out: {refused.Reason}");
            }

            if (report.Refused.Count > 50)
            {
                CliConsole.Current.Error.WriteLine($"planact: … and {report.Refused.Count - 50} more examples left out for the {options.Profile.Name} profile");
            }

            foreach (var flag in report.Hindsight.Take(50))
            {
                CliConsole.Current.Error.WriteLine($"planact: example \"{flag.Id}\" {(report.HindsightKept ? "kept (--allow-hindsight)" : "left out")}: {HindsightCheck.Reason}: {flag.Finding}");
            }

            if (report.Hindsight.Count > 50)
            {
                CliConsole.Current.Error.WriteLine($"planact: … and {report.Hindsight.Count - 50} more hindsight findings");
            }

            if (options.WithReasoning && report.WithReasoning < report.Written)
            {
                CliConsole.Current.Error.WriteLine($"planact: warning: {report.Written - report.WithReasoning} examples have no reasoning; their targets have no <think> block");
            }

            CliConsole.Current.Error.WriteLine(
                $"planact: export: {report.Written} examples ok ({options.Formatter.Name}), {report.Overlong.Count} left out over the token limit, "
                + $"{problems.ErrorCount} skipped as invalid, {pagesCut} pages cut -> {outputPath}"
                + (report.ValidationWritten is { } held ? $" ({report.Written - held} train) and {SplitFileFormat.ValidationPath(outputPath)} ({held} validation)" : "")
                + $"; card -> {cardPath}; profile {options.Profile.Name}"
                + (report.Refused.Count > 0 ? $", {report.Refused.Count} records it cannot be made from left out (listed above)" : "")
                + (report.Hindsight.Count > 0 ? $", {report.HindsightByKind().Values.Sum()} examples with hindsight {(report.HindsightKept ? "kept" : "left out")} (listed above)" : "")
                + (report.PlansCheckedAgainstTrajectories is { } against ? $", {against} grounded plans checked against their trajectories" : ""));
            return problems.ErrorCount > 0 || report.Refused.Count > 0 ? ExitCodes.InvalidItemsSkipped : ExitCodes.Ok;
        }, ct));
        return command;
    }
}
