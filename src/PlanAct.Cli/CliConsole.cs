namespace PlanAct.Cli;

/// <summary>
/// Where a command invocation reads and writes: its streams, its environment and its arguments. The process's own by
/// default; <see cref="Program.RunAsync"/> injects another for one invocation (tests run the CLI in-process with it),
/// and everything the commands print, read or look up goes through <see cref="Current"/>.
/// </summary>
internal sealed record CliConsole(TextWriter Out, TextWriter Error, TextReader In, Func<string, string?> Environment, IReadOnlyList<string> Arguments)
{
    private static readonly AsyncLocal<CliConsole?> Injected = new();

    /// <summary>Whether stderr is a terminal the live progress display can draw on.</summary>
    public bool ErrorIsTerminal { get; init; }

    /// <summary>The console of the invocation running on this flow: the injected one, or the process's.</summary>
    public static CliConsole Current => Injected.Value ?? Process([.. System.Environment.GetCommandLineArgs().Skip(1)]);

    /// <summary>The process's own console, for <paramref name="arguments"/>.</summary>
    public static CliConsole Process(IReadOnlyList<string> arguments) =>
        new(Console.Out, Console.Error, Console.In, System.Environment.GetEnvironmentVariable, arguments) { ErrorIsTerminal = !Console.IsErrorRedirected };

    /// <summary>Makes <paramref name="console"/> current for the calling flow (and what it awaits) until disposed.</summary>
    public static IDisposable Use(CliConsole console)
    {
        var previous = Injected.Value;
        Injected.Value = console;
        return new Restore(previous);
    }

    private sealed class Restore(CliConsole? previous) : IDisposable
    {
        public void Dispose() => Injected.Value = previous;
    }
}
