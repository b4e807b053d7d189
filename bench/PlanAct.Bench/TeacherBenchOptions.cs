namespace PlanAct.Bench;

/// <summary>Options of the <c>teacher</c> benchmark.</summary>
internal sealed record TeacherBenchOptions(int? Requests, TimeSpan Delay, IReadOnlyList<int> Concurrency, bool Json = false)
{
    /// <summary>Requests per level by default: this many per slot, at least <see cref="MinRequests"/>.</summary>
    public const int RequestsPerSlot = 16;

    public const int MinRequests = 50;

    /// <summary>How many requests the level at <paramref name="concurrency"/> sends.</summary>
    public int RequestsAt(int concurrency) => Requests ?? Math.Max(MinRequests, concurrency * RequestsPerSlot);

    public static TeacherBenchOptions Parse(IReadOnlyList<string> args)
    {
        int? requests = null;
        var delayMs = 200;
        int[] concurrency = [1, 16, 64, 256, 1024];
        var (json, rest) = CommandLine.Flag(args, "--json");
        foreach (var (option, value) in CommandLine.Pairs(rest))
        {
            switch (option)
            {
                case "--requests":
                    requests = CommandLine.Positive(option, value);
                    break;
                case "--delay-ms":
                    delayMs = CommandLine.Positive(option, value);
                    break;
                case "--concurrency":
                    concurrency = [.. value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(c => CommandLine.Positive(option, c))];
                    break;
                default:
                    throw new ArgumentException($"unknown option \"{option}\"");
            }
        }

        return concurrency.Length > 0
            ? new TeacherBenchOptions(requests, TimeSpan.FromMilliseconds(delayMs), concurrency, json)
            : throw new ArgumentException("--concurrency expects levels like 1,16,64,256");
    }
}
