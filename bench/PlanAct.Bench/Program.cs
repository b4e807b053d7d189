using PlanAct.IO;

namespace PlanAct.Bench;

internal static class Program
{
    private const string Usage = """
        usage:
          PlanAct.Bench reader [--size-mb N] [--work DIR] [--clean-budget-s S] [--clean-trajectories N]
          PlanAct.Bench teacher [--requests N] [--delay-ms MS] [--concurrency 1,16,64,256,1024] [--json]
          PlanAct.Bench pipeline [--copies N] [--delay-ms MS] [--concurrency N] [--json] [--keep DIR]
          PlanAct.Bench dedup [--sizes 1000,10000,100000] [--threshold 0.7] [--naive-up-to 10000]
          PlanAct.Bench render [--runs N] [--ms-per-run MS]
          PlanAct.Bench prompts [--items N] [--runs N]

        reader   generates (once, cached in --work, default bench/.data) a WebArena-Lite SFT JSON file of at least
                 --size-mb MB (default 500) and a JSONL file of the same trajectories, then measures in a fresh child
                 process per run: (a) read + group, (b) read + group + planner/executor views + o200k token counts.
                 (b) runs on the first N trajectories when the whole file would take longer than --clean-budget-s
                 seconds (default 300); --clean-trajectories N fixes N (0 = all).
        teacher  runs the annotate stage over the whole teacher stack against a loopback teacher in a child process
                 that answers after --delay-ms (default 200), at each --concurrency level (default 1,16,64,256,1024),
                 with --requests per level (default max(50, 16 x concurrency)) and a fresh ledger each time; prints
                 requests/s against concurrency / delay, client CPU per request and latency beyond the delay; then
                 the same levels from a bare HTTP client (ready-made bodies, no stack): the machine's ceiling.
        pipeline runs samples/pipeline.yaml (the whole graph: annotate -> act / expand / classify -> augment / replan
                 -> dynamic-act -> export) over the samples replicated --copies times (default 100) as `planact run`
                 does, against a loopback teacher in a child process answering every stage after --delay-ms (default
                 200) at --concurrency (default 64; the teacher is warmed up first by a run on 170 trajectories from
                 another process), then again with everything done (it must send nothing); prints
                 per stage and in all the requests sent, wall time against the ideal (per pass, whole rounds of the
                 delay at the concurrency, at least the longest chain of dependent requests; stages add up),
                 requests/s, CPU time of the pipeline and of the teacher, and peak memory. --keep DIR moves the
                 input, run folder and ledger to DIR (it must not exist) instead of deleting them.
        dedup    filters --sizes queries (real WebArena-Lite intents with a third of their words swapped) for ROUGE-L
                 near-duplicates as expand does, each size in a child process, with the index and, up to
                 --naive-up-to queries, by comparing with every kept query (both must decide alike); prints wall
                 time, queries/s, peak working set, peak GC heap and bytes allocated.
        render   renders the five real start pages of samples/pages/ in the reference-compatible views (planner,
                 executor, earlier round around an element on the page and the earlier round's fallback), --runs
                 timed runs (default 7) of about --ms-per-run each (default 1000) per view after untimed runs;
                 prints MB/s of input (median, min, max) and pages/s.
        prompts  builds annotate's teacher request for --items copies of the samples (default 1700) step by step
                 (first page's planner view, its token count, the view fitted to the budget, the prompt, the prompt
                 with its ledger key), then reads and checks a valid answer for each as annotate does, --runs timed
                 runs (default 5) after two untimed; prints CPU µs (median, min, max) and KiB allocated per item for
                 each step.
        """;

    public static async Task<int> Main(string[] args)
    {
        try
        {
            return args switch
            {
                ["reader", .. var rest] => await ReaderBenchmark.RunAsync(ReaderOptions.Parse(rest)),
                ["teacher", .. var rest] => await TeacherBenchmark.RunAsync(TeacherBenchOptions.Parse(rest)),
                ["pipeline", .. var rest] => await PipelineBenchmark.RunAsync(PipelineBenchOptions.Parse(rest)),
                ["dedup", .. var rest] => await DedupBenchmark.RunAsync(DedupOptions.Parse(rest)),
                ["render", .. var rest] => await RenderBenchmark.RunAsync(RenderOptions.Parse(rest)),
                ["prompts", .. var rest] => await PromptBenchmark.RunAsync(PromptOptions.Parse(rest)),
                [Measurement.Command, .. var rest] => await Measurement.RunChildAsync(rest),
                [DedupBenchmark.Command, .. var rest] => await DedupBenchmark.RunChildAsync(rest),
                [LoopbackServer.Command, .. var rest] => await LoopbackServer.RunChildAsync(rest),
                [PipelineBenchmark.WarmUpCommand, .. var rest] => await PipelineBenchmark.RunWarmUpChildAsync(rest),
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
