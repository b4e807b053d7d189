using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using PlanAct.Inspection;
using PlanAct.Text;

namespace PlanAct.Cli.Commands;

internal static class InspectCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Build()
    {
        var path = new Argument<string>("path") { Description = "A trajectory file (planact .jsonl, WebArena-Lite SFT, ADP, BrowserGym step records, a WebVoyager run) or a folder of them." };
        var format = CommandOptions.TrajectoryFormat();
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var encoding = new Option<string>("--encoding") { Description = "Tokenizer for page sizes: o200k or cl100k.", DefaultValueFactory = _ => "o200k" };
        encoding.Validators.Add(result =>
        {
            if (TokenCounter.TryForEncoding(result.GetValueOrDefault<string>()) is null)
            {
                result.AddError($"--encoding: {TokenCounter.UnknownEncoding(result.GetValueOrDefault<string>())}");
            }
        });
        var replaceInvalidUtf8 = CommandOptions.ReplaceInvalidUtf8();
        var command = new Command("inspect", "Count trajectories, steps, sites, actions and page tokens, and list every problem with its location.\n\nExample:\n  planact inspect samples/webarena-lite-sft.json --json")
        {
            path, json, encoding, replaceInvalidUtf8, format,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(async () =>
        {
            var report = await Inspector.InspectAsync(parse.GetValue(path)!, TokenCounter.ForEncoding(parse.GetValue(encoding)!), parse.GetValue(replaceInvalidUtf8), parse.GetValue(format), ct);
            if (parse.GetValue(json))
            {
                CliConsole.Current.Out.WriteLine(JsonSerializer.Serialize(ToJson(report), JsonOptions));
            }
            else
            {
                PrintText(report);
            }

            return report.Errors > 0 ? ExitCodes.InvalidItemsSkipped : ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static object ToJson(InspectReport report) => new
    {
        files = report.Files,
        trajectories = report.Trajectories,
        steps = report.Steps,
        steps_per_trajectory = report.StepsPerTrajectory,
        sites = report.Sites,
        grammars = report.Grammars,
        observation_kinds = report.ObservationKinds,
        action_types = report.ActionTypes,
        unknown_actions = report.UnknownActions,
        page_tokens = report.PageTokens,
        problems = report.Problems.Select(p => new
        {
            severity = p.Severity,
            location = p.Location.ToString(),
            file = p.Location.File,
            line = p.Location.Line,
            element = p.Location.Element,
            reason = p.Reason,
        }),
    };

    private static void PrintText(InspectReport report)
    {
        static string D(Distribution d) => string.Create(CultureInfo.InvariantCulture, $"min {d.Min}, median {d.Median}, p95 {d.P95}, max {d.Max}");
        CliConsole.Current.Out.WriteLine($"files:          {string.Join(", ", report.Files)}");
        CliConsole.Current.Out.WriteLine($"trajectories:   {report.Trajectories}");
        CliConsole.Current.Out.WriteLine($"steps:          {report.Steps} ({D(report.StepsPerTrajectory)} per trajectory)");
        CliConsole.Current.Out.WriteLine($"sites:          {string.Join(", ", report.Sites.Select(s => $"{s.Key} {s.Value}"))}");
        CliConsole.Current.Out.WriteLine($"grammars:       {string.Join(", ", report.Grammars.Select(g => $"{g.Key} {g.Value}"))}");
        CliConsole.Current.Out.WriteLine($"observations:   {string.Join(", ", report.ObservationKinds.Select(o => $"{o.Key} {o.Value}"))}");
        CliConsole.Current.Out.WriteLine($"actions:        {string.Join(", ", report.ActionTypes.OrderByDescending(a => a.Value).Select(a => $"{a.Key} {a.Value}"))}"
            + (report.UnknownActions > 0 ? $" ({report.UnknownActions} unknown)" : ""));
        CliConsole.Current.Out.WriteLine($"page tokens ({report.PageTokens.Encoding}):");
        CliConsole.Current.Out.WriteLine($"  raw           {D(report.PageTokens.Raw)}");
        CliConsole.Current.Out.WriteLine($"  planner view  {D(report.PageTokens.PlannerView)}");
        CliConsole.Current.Out.WriteLine($"  executor view {D(report.PageTokens.ExecutorView)}");
        CliConsole.Current.Out.WriteLine($"problems:       {report.Errors} errors, {report.Problems.Count - report.Errors} warnings");
        foreach (var problem in report.Problems)
        {
            CliConsole.Current.Out.WriteLine($"  {problem}");
        }
    }
}
