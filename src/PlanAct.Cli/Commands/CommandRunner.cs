using PlanAct.IO;

namespace PlanAct.Cli.Commands;

/// <summary>Runs a command body and turns the library's exceptions into messages and exit codes.</summary>
internal static class CommandRunner
{
    public static async Task<int> RunAsync(Func<Task<int>> body, CancellationToken cancellationToken)
    {
        try
        {
            return await body();
        }
        catch (WriterLockedException e)
        {
            await CliConsole.Current.Error.WriteLineAsync($"planact: error: {e.Message}");
            return ExitCodes.Locked;
        }
        catch (ForeignOutputException e)
        {
            await CliConsole.Current.Error.WriteLineAsync($"planact: error: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (InputException e)
        {
            await CliConsole.Current.Error.WriteLineAsync($"planact: error: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (CommandLineException e)
        {
            await CliConsole.Current.Error.WriteLineAsync($"planact: error: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await CliConsole.Current.Error.WriteLineAsync("planact: cancelled");
            return 130;
        }
    }

    /// <summary>Lists problems on stderr (at most <paramref name="limit"/>, then a count of the rest).</summary>
    public static void ReportProblems(IReadOnlyCollection<InputProblem> problems, int limit = 50)
    {
        foreach (var problem in problems.Take(limit))
        {
            CliConsole.Current.Error.WriteLine($"planact: {problem}");
        }

        if (problems.Count > limit)
        {
            CliConsole.Current.Error.WriteLine($"planact: … and {problems.Count - limit} more problems");
        }
    }

    /// <summary>This process's command line as a shell would take it (recorded in dataset cards and run manifests).</summary>
    public static string CommandLine() =>
        string.Join(' ', ["planact", .. CliConsole.Current.Arguments.Select(a => a.Length > 0 && a.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:".Contains(c)) ? a : $"'{a.Replace("'", "'\\''", StringComparison.Ordinal)}'")]);
}
