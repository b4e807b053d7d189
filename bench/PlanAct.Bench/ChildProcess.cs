using System.Diagnostics;

namespace PlanAct.Bench;

/// <summary>Starts this benchmark program again as a child process with other arguments.</summary>
public static class ChildProcess
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
}
