using PlanAct.IO;

namespace PlanAct.Bench;

public static class Program
{
    private const string Usage = """
        usage:
          PlanAct.Bench reader [--size-mb N] [--work DIR] [--clean-budget-s S] [--clean-trajectories N]

        reader   generates (once, cached in --work, default bench/.data) a WebArena-Lite SFT JSON file of at least
                 --size-mb MB (default 500) and a JSONL file of the same trajectories, then measures in a fresh child
                 process per run: (a) read + group, (b) read + group + planner/executor views + o200k token counts.
                 (b) runs on the first N trajectories when the whole file would take longer than --clean-budget-s
                 seconds (default 300); --clean-trajectories N fixes N (0 = all).
        """;

    public static async Task<int> Main(string[] args)
    {
        try
        {
            return args switch
            {
                ["reader", .. var rest] => await ReaderBenchmark.RunAsync(ReaderOptions.Parse(rest)),
                [Measurement.Command, .. var rest] => await Measurement.RunChildAsync(rest),
                _ => UsageError(),
            };
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or InputException or IOException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 2;
        }
    }

    private static int UsageError()
    {
        Console.Error.WriteLine(Usage);
        return 2;
    }
}
