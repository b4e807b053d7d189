using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace PlanAct.Bench;

/// <summary>Starts this benchmark program again as a child process with other arguments.</summary>
internal static class ChildProcess
{
    public static Process Start(IEnumerable<string> arguments, bool redirectInput = false)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which program is running");
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardInput = redirectInput, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"cannot start {host}");
    }

    private const string ResultPrefix = "RESULT ";

    /// <summary>Runs a measurement in a child process (a clean heap and working set) and reads the one result line it printed.</summary>
    /// <param name="arguments">The child's command line.</param>
    /// <param name="type">How to read the result.</param>
    /// <param name="what">What is measured, for the error.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public static async Task<T> MeasureAsync<T>(IEnumerable<string> arguments, JsonTypeInfo<T> type, string what, CancellationToken cancellationToken = default)
    {
        using var process = Start(arguments);
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var line = output.Split('\n').LastOrDefault(l => l.StartsWith(ResultPrefix, StringComparison.Ordinal));
        if (process.ExitCode != 0 || line is null)
        {
            throw new InvalidOperationException($"{what} failed (exit code {process.ExitCode}):\n{output}");
        }

        return JsonSerializer.Deserialize(line[ResultPrefix.Length..], type) ?? throw new InvalidOperationException($"{what} reported nothing");
    }

    /// <summary>The child side of <see cref="MeasureAsync"/>: prints the result line.</summary>
    public static void Report<T>(T result, JsonTypeInfo<T> type) => Console.WriteLine(ResultPrefix + JsonSerializer.Serialize(result, type));
}
