using System.Diagnostics;
using System.Globalization;
using PlanAct.Loopback;

namespace PlanAct.Bench;

/// <summary>
/// The loopback teacher in a child process of its own, so the server's CPU time is not counted as the client's. It
/// answers every request with a valid plan after a fixed delay, and serves until its standard input closes.
/// </summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    public const string Command = "loopback-server";

    private const string UrlPrefix = "URL ";

    private readonly Process _process;

    private LoopbackServer(Process process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    /// <summary>CPU time the server process has used so far.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public static async Task<LoopbackServer> StartAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        var process = ChildProcess.Start([Command, ((int)delay.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)], redirectInput: true);
        while (await process.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith(UrlPrefix, StringComparison.Ordinal))
            {
                return new LoopbackServer(process, new Uri(line[UrlPrefix.Length..]));
            }
        }

        await process.WaitForExitAsync(cancellationToken);
        var exitCode = process.ExitCode;
        process.Dispose();
        throw new InvalidOperationException($"the loopback server did not start (exit code {exitCode})");
    }

    /// <summary>The child side: <c>loopback-server DELAY_MS</c>; prints its URL, then serves until standard input closes.</summary>
    public static async Task<int> RunChildAsync(IReadOnlyList<string> args)
    {
        if (args is not [var delayMs])
        {
            throw new ArgumentException($"usage: {Command} DELAY_MS");
        }

        var delay = TimeSpan.FromMilliseconds(CommandLine.Positive("DELAY_MS", delayMs));
        await using var teacher = await LoopbackTeacher.StartAsync((request, _) => new LoopbackReply.Delayed(delay, ScriptedPipeline.Answer(request)));
        Console.WriteLine(UrlPrefix + teacher.BaseUrl);
        await Console.In.ReadToEndAsync();
        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
