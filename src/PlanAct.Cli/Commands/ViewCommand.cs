using System.CommandLine;
using PlanAct.Training.Profiles;
using PlanAct.Viewing;

namespace PlanAct.Cli.Commands;

internal static class ViewCommand
{
    public static Command Build()
    {
        var path = new Argument<string>("run-dir-or-records") { Description = "A run directory of `planact run` (it holds run.json) or a plan, replan or example records file (its quarantine beside it is shown too)." };
        var port = new Option<int>("--port") { Description = "The port on 127.0.0.1 to serve at. [default: a free port the system picks]" };
        port.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 0 or > 65535)
            {
                result.AddError("--port must be from 0 (a free port) to 65535");
            }
        });
        var profile = CommandOptions.Profile("the examples are first shown in (the page switches between it and the built-in ones)");
        var trajectories = new Option<string?>("--trajectories") { Description = "The trajectories the records were made from, whose actions are shown beside the plans. [default: a run directory's pipeline input]" };
        var maxPageTokens = CommandOptions.MaxPageTokens("every page of the examples shown", fallback: null);
        var command = new Command(
            "view",
            "Browse what a run made in a local web page: filter records by kind, site, origin and outcome; see a record's trajectory beside its plan (the actions each step covers "
            + "highlighted), its training example as the model sees it under a profile, and the teacher's rejected answers. Serves on 127.0.0.1 only and prints the address; Ctrl-C stops it. "
            + "The files are indexed by offset, never loaded whole.\n\n"
            + "Example:\n  planact view runs/samples\n  planact view plans.jsonl --trajectories samples/trajectories.jsonl --port 8080")
        {
            path, port, profile, trajectories, maxPageTokens,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(async () =>
        {
            var first = PromptProfile.Load(parse.GetValue(profile)!);
            var browser = await RecordBrowser.OpenAsync(parse.GetValue(path)!, parse.GetValue(trajectories), ct);
            var options = new ViewerOptions
            {
                Port = parse.GetValue(port),
                Profiles = [first, .. PromptProfile.BuiltInNames.Where(n => n != first.Name).Select(PromptProfile.Load)],
                MaxPageTokens = parse.GetValue(maxPageTokens),
            };
            RecordViewer viewer;
            try
            {
                viewer = await RecordViewer.StartAsync(browser, options, ct);
            }
            catch (IOException e)
            {
                throw new CommandLineException($"cannot serve on 127.0.0.1:{options.Port}: {e.Message}");
            }

            await using (viewer)
            {
                await CliConsole.Current.Out.WriteLineAsync($"view: {viewer.Url} ({browser.Index.Entries.Count} records; Ctrl-C stops)");
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    // Ctrl-C is how the viewer is meant to stop.
                }
            }

            return ExitCodes.Ok;
        }, ct));
        return command;
    }
}
