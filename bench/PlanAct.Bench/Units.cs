namespace PlanAct.Bench;

internal static class Units
{
    /// <summary>Sizes are reported in MiB (2^20 bytes), written "MB" in tables.</summary>
    public const int MiB = 1 << 20;

    public static double ToMiB(long bytes) => bytes / (double)MiB;
}
