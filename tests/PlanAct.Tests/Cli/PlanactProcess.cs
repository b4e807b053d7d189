using System.Diagnostics;

namespace PlanAct.Tests.Cli;

/// <summary>Runs the real <c>planact</c> CLI as a child process: PlanAct.Cli.dll as built, from its own output folder.</summary>
internal static class PlanactProcess
{
    /// <summary>
    /// The CLI in its own output folder (same configuration as the tests): the tests' folder lacks what the ASP.NET
    /// shared framework gives the loopback teacher (logging, dependency injection), which the CLI carries itself.
    /// </summary>
    private static readonly string CliPath = Path.Combine(
        TestPaths.Root, "src", "PlanAct.Cli", "bin", new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, new DirectoryInfo(AppContext.BaseDirectory).Name, "PlanAct.Cli.dll");

    /// <summary>Teacher and telemetry variables of the machine running the tests must never reach a child: tests are hermetic.</summary>
    private static readonly string[] TeacherVariables =
        ["PLANACT_BASE_URL", "PLANACT_MODEL", "OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_DEPLOYMENT", "PLANACT_OTEL"];

    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <summary>Whether a variable of the machine running the tests may reach the CLI (teacher and telemetry ones may not).</summary>
    public static bool IsHermetic(string name) => !TeacherVariables.Contains(name, StringComparer.Ordinal);

    public static Task<Result> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string>(), args);

    public static async Task<Result> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var process = Start(environment, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs the CLI with <paramref name="input"/> on its standard input.</summary>
    public static async Task<Result> RunWithInputAsync(string input, params string[] args)
    {
        using var process = Start(new Dictionary<string, string>(), args, redirectInput: true);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs another program (git, dotnet, an installed planact) without the teacher variables; output is stdout then stderr.</summary>
    public static async Task<(int Code, string Output)> RunProgramAsync(string file, string workingDirectory, TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        RemoveTeacherVariables(start);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>Starts the CLI with redirected output; the caller reads, waits for or kills it.</summary>
    public static Process Start(IReadOnlyDictionary<string, string> environment, params string[] args) => Start(environment, args, redirectInput: false);

    private static Process Start(IReadOnlyDictionary<string, string> environment, string[] args, bool redirectInput)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = redirectInput,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = TestPaths.Root,
        };
        start.ArgumentList.Add(CliPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        RemoveTeacherVariables(start);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return Process.Start(start)!;
    }

    private static void RemoveTeacherVariables(ProcessStartInfo start)
    {
        foreach (var name in TeacherVariables)
        {
            start.Environment.Remove(name);
        }
    }
}
