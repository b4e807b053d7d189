using System.CommandLine;
using PlanAct.Pipeline;
using PlanAct.Pipeline.Report;

namespace PlanAct.Cli.Commands;

internal static class ReportCommand
{
    public static Command Build()
    {
        var runDir = new Argument<string>("run-dir") { Description = "A run directory of `planact run` (it holds run.json)." };
        var output = new Option<string?>("--out") { Description = $"The HTML file to write. [default: {PipelineRunner.ReportName} in the run directory]" };
        var command = new Command(
            "report",
            "Write the run report again: one self-contained HTML page (no script, nothing fetched) with the stages, site mix, steps per plan, tokens per record, "
            + "accepted and rejected items by reason, tokens and cost per stage, teacher latency and the dry-run estimate. `planact run` writes it after every run.\n\n"
            + "Example:\n  planact report runs/samples --out report.html")
        {
            runDir, output,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(async () =>
        {
            var dir = parse.GetValue(runDir)!;
            var outPath = parse.GetValue(output) ?? Path.Combine(dir, PipelineRunner.ReportName);
            await RunReport.WriteAsync(dir, outPath, ct);
            CliConsole.Current.Out.WriteLine($"report: {Path.GetFullPath(outPath)}");
            return ExitCodes.Ok;
        }, ct));
        return command;
    }
}
