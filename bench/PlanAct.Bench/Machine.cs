using System.Runtime.InteropServices;
using static System.FormattableString;

namespace PlanAct.Bench;

/// <summary>The machine a benchmark runs on, in one line.</summary>
internal static class Machine
{
    public static string Describe()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var memory = Units.ToMiB(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes) / 1024;
        return Invariant($"{cpu ?? RuntimeInformation.ProcessArchitecture.ToString()}, {Environment.ProcessorCount} cores, {memory:F1} GB, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC");
    }
}
