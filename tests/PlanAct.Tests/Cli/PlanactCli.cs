using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using PlanAct.Cli;

namespace PlanAct.Tests.Cli;

/// <summary>
/// Runs the real <c>planact</c> command line in this process (the same command tree, parsing and exit codes as the
/// installed tool), its streams and environment injected, from the repository root as a user would. Tests that need a
/// separate process (killing it, two writers, installing the tool) use <see cref="PlanactProcess"/>.
/// </summary>
internal static class PlanactCli
{
    public static Task<PlanactProcess.Result> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string>(), args);

    public static Task<PlanactProcess.Result> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        RunAsync(environment, TextReader.Null, args);

    /// <summary>Runs with <paramref name="input"/> on standard input.</summary>
    public static Task<PlanactProcess.Result> RunWithInputAsync(string input, params string[] args) =>
        RunAsync(new Dictionary<string, string>(), new StringReader(input), args);

    /// <summary>Relative paths in the tests' command lines are the repository's, as for the child processes.</summary>
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "The test assembly's working directory is the repository root, for every test.")]
    internal static void StartInRepositoryRoot() => Directory.SetCurrentDirectory(TestPaths.Root);

    private static async Task<PlanactProcess.Result> RunAsync(IReadOnlyDictionary<string, string> environment, TextReader input, string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var console = new CliConsole(
            TextWriter.Synchronized(output),
            TextWriter.Synchronized(error),
            input,
            name => environment.TryGetValue(name, out var value) ? value : PlanactProcess.IsHermetic(name) ? Environment.GetEnvironmentVariable(name) : null,
            args);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var code = await Program.RunAsync(args, console, inProcess: true, timeout.Token);
        return new PlanactProcess.Result(code, output.ToString(), error.ToString());
    }
}
