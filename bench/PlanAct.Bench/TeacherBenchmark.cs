using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using PlanAct.Inspection;
using PlanAct.Loopback;
using PlanAct.Plans;
using PlanAct.Stages;
using PlanAct.Stages.Annotate;
using PlanAct.Teacher;
using PlanAct.Teacher.Ledger;
using PlanAct.Teacher.Limits;
using PlanAct.Trajectories;
using static System.FormattableString;

namespace PlanAct.Bench;

/// <summary>One concurrency level of the <c>teacher</c> benchmark.</summary>
internal sealed record TeacherLevelResult(int Concurrency, int Requests, TimeSpan Delay, TimeSpan Wall, TimeSpan ClientCpu, TimeSpan ServerCpu, TimeSpan GcPause, long Allocated, Distribution LatencyMicroseconds)
{
    public double RequestsPerSecond => Requests / Wall.TotalSeconds;

    /// <summary>Requests/s if every request took exactly the delay: concurrency ÷ delay when the requests fill whole rounds.</summary>
    public double IdealPerSecond => Requests / (Math.Ceiling(Requests / (double)Concurrency) * Delay.TotalSeconds);

    public double Share => RequestsPerSecond / IdealPerSecond;

    /// <summary>The share of the ideal <paramref name="floor"/> reached at this level: the machine's ceiling.</summary>
    public double FloorShare(FloorLevelResult floor) => floor.RequestsPerSecond / IdealPerSecond;

    public double ClientCpuMsPerRequest => ClientCpu.TotalMilliseconds / Requests;

    public double ServerCpuMsPerRequest => ServerCpu.TotalMilliseconds / Requests;

    /// <summary>Time the client's threads stood still for the garbage collector, per request.</summary>
    public double GcPauseMsPerRequest => GcPause.TotalMilliseconds / Requests;

    public double AllocatedKiBPerRequest => Allocated / 1024.0 / Requests;

    public double OverheadP50Ms => (LatencyMicroseconds.Median / 1000) - Delay.TotalMilliseconds;

    public double OverheadP95Ms => (LatencyMicroseconds.P95 / 1000.0) - Delay.TotalMilliseconds;
}

/// <summary>The <c>teacher --json</c> output: one object, comparable run to run.</summary>
internal sealed record TeacherBenchJson(string Machine, double DelayMs, IReadOnlyList<TeacherLevelJson> Levels);

/// <summary>One level of <see cref="TeacherBenchJson"/>.</summary>
internal sealed record TeacherLevelJson(
    int Concurrency, int Requests, double WallS, double RequestsPerS, double ShareOfIdeal, double ClientCpuMsPerRequest, double FloorShareOfIdeal, double FloorClientCpuMsPerRequest)
{
    public static TeacherLevelJson Of(TeacherLevelResult level, FloorLevelResult floor) => new(
        level.Concurrency, level.Requests, level.Wall.TotalSeconds, level.RequestsPerSecond, level.Share, level.ClientCpuMsPerRequest, level.FloorShare(floor), floor.ClientCpuMsPerRequest);
}

/// <summary>What the ledger costs per request, measured alone: the lookup that misses, the send record and the commit.</summary>
internal sealed record LedgerCost(int Requests, TimeSpan Find, TimeSpan RecordSend, TimeSpan Commit)
{
    public double PerRequestMs(TimeSpan total) => total.TotalMilliseconds / Requests;

    /// <summary>Requests/s the ledger's one connection can serve when it does nothing else.</summary>
    public double CeilingPerSecond => Requests / (Find + RecordSend + Commit).TotalSeconds;
}

/// <summary>
/// The <c>teacher</c> benchmark: the annotate stage through the real stack (stage runner, teacher session with its
/// ledger, retry and limit layers, the OpenAI SDK over HTTP) against a loopback teacher in a child process that
/// answers after a fixed delay. Per concurrency level: achieved requests/s against the ideal, this process's CPU time
/// per request, and how much longer than the delay an item takes. Then, after all of that, the same levels from a bare
/// HTTP client (<see cref="HttpFloor"/>): the most this machine allows.
/// </summary>
internal static class TeacherBenchmark
{
    /// <summary>A model the built-in price table knows, so the cost meter prices every answer as in a real run.</summary>
    private const string Model = "gpt-4.1-mini";

    /// <summary>
    /// Unmeasured runs at the highest level first: until tiered compilation has settled (several seconds of traffic),
    /// the client's CPU time and throughput are the JIT's, not the stack's.
    /// </summary>
    private const int WarmUpRounds = 2;

    private const int LedgerRequests = 200;

    public static async Task<int> RunAsync(TeacherBenchOptions options)
    {
        var cancellationToken = CancellationToken.None;

        // With --json the one JSON object is all of stdout; the progress goes to stderr.
        var log = options.Json ? Console.Error : Console.Out;
        log.WriteLine($"Machine: {Machine.Describe()}");
        var samples = await SampleTrajectories.LoadAsync(RepositoryRoot.Find(), cancellationToken);
        log.WriteLine(Invariant($"Trajectories: copies of the {samples.Trajectories.Count} of {samples.Source}, each with its own id and task"));

        var ledger = await MeasureLedgerAsync(samples, cancellationToken);
        log.WriteLine(Invariant(
            $"Ledger alone ({ledger.Requests} requests one after another, fresh database in {Path.GetTempPath()}): lookup {ledger.PerRequestMs(ledger.Find):F3} ms, send record {ledger.PerRequestMs(ledger.RecordSend):F3} ms, commit {ledger.PerRequestMs(ledger.Commit):F3} ms per request; at most {ledger.CeilingPerSecond:N0} requests/s through its one connection"));

        await using var server = await LoopbackServer.StartAsync(options.Delay, cancellationToken);
        log.WriteLine(Invariant($"Loopback teacher: {server.BaseUrl} (child process), every answer after {options.Delay.TotalMilliseconds:F0} ms"));
        var highest = options.Concurrency.Max();
        for (var round = 1; round <= WarmUpRounds; round++)
        {
            log.Write(Invariant($"  warm-up {round}: {options.RequestsAt(highest)} requests at concurrency {highest} ... "));
            var warmUp = await RunLevelAsync(server, samples, highest, options.RequestsAt(highest), options.Delay, cancellationToken);
            log.WriteLine(Invariant($"{warmUp.Wall.TotalSeconds:F1} s"));
        }

        var results = new List<TeacherLevelResult>();
        foreach (var concurrency in options.Concurrency)
        {
            var requests = options.RequestsAt(concurrency);
            log.Write(Invariant($"  concurrency {concurrency}: {requests} requests ... "));
            var result = await RunLevelAsync(server, samples, concurrency, requests, options.Delay, cancellationToken);
            log.WriteLine(Invariant($"{result.Wall.TotalSeconds:F1} s"));
            results.Add(result);
        }

        // The bare client comes last, on connections of its own, so that none of them is open during the stack's levels.
        var floors = new List<FloorLevelResult>();
        var annotate = new AnnotateStage(new AnnotateOptions(), Model);
        using (var floor = new HttpFloor(server.BaseUrl, HttpFloor.Bodies(Model, samples.Trajectories.Select(t => annotate.Messages(t)))))
        {
            log.Write(Invariant($"  bare HTTP client, warm-up: {options.RequestsAt(highest)} requests at concurrency {highest} ... "));
            log.WriteLine(Invariant($"{(await floor.RunAsync(highest, options.RequestsAt(highest), cancellationToken)).Wall.TotalSeconds:F1} s"));
            foreach (var concurrency in options.Concurrency)
            {
                log.Write(Invariant($"  bare HTTP client, concurrency {concurrency}: {options.RequestsAt(concurrency)} requests ... "));
                floors.Add(await floor.RunAsync(concurrency, options.RequestsAt(concurrency), cancellationToken));
                log.WriteLine(Invariant($"{floors[^1].Wall.TotalSeconds:F1} s"));
            }
        }

        log.WriteLine();
        log.WriteLine(Table(results, floors));
        if (options.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new TeacherBenchJson(Machine.Describe(), options.Delay.TotalMilliseconds, [.. results.Zip(floors, TeacherLevelJson.Of)]), BenchReportJsonContext.Default.TeacherBenchJson));
        }

        return 0;
    }

    private static async Task<TeacherLevelResult> RunLevelAsync(
        LoopbackServer server, SampleTrajectories samples, int concurrency, int requests, TimeSpan delay, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("planact-bench-teacher-");
        try
        {
            var options = new TeacherOptions
            {
                BaseUrl = server.BaseUrl,
                ApiKey = "bench",
                Model = Model,
                LedgerPath = Path.Combine(folder.FullName, "ledger.db"),
                Limits = new TeacherLimits { Concurrency = concurrency },
            };
            var items = Enumerable.Range(0, requests).Select(samples.Copy).ToList();
            await using var session = await TeacherSession.OpenAsync(options, cancellationToken: cancellationToken);
            var stage = new TimedStage<Trajectory, PlanRecord>(new AnnotateStage(new AnnotateOptions(), session.ModelFor(AnnotateStage.StageName)));
            var runner = new StageRunner<Trajectory, PlanRecord>(stage, session);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();

            using var self = Process.GetCurrentProcess();
            var clientCpu = self.TotalProcessorTime;
            var serverCpu = server.CpuTime;
            var gcPause = GC.GetTotalPauseDuration();
            var allocated = GC.GetTotalAllocatedBytes();
            var clock = Stopwatch.StartNew();
            var summary = await runner.RunAsync(() => items.ToAsyncEnumerable(), Path.Combine(folder.FullName, "plans.jsonl"), TeacherMode.Online, cancellationToken: cancellationToken);
            clock.Stop();
            self.Refresh();
            clientCpu = self.TotalProcessorTime - clientCpu;
            serverCpu = server.CpuTime - serverCpu;
            gcPause = GC.GetTotalPauseDuration() - gcPause;
            allocated = GC.GetTotalAllocatedBytes() - allocated;

            var sent = summary.Costs.Sum(c => c.Sent);
            if (summary.Ok != requests || sent != requests || summary.Costs.Any(c => c.Reused > 0))
            {
                throw new InvalidOperationException(Invariant(
                    $"concurrency {concurrency}: expected {requests} plans from as many sends, got {summary.Ok} plans, {sent} sends, {summary.Quarantined} quarantined, {summary.Costs.Sum(c => c.Reused)} from the ledger"));
            }

            var latencies = stage.Durations.Select(d => (int)(d.Ticks / TimeSpan.TicksPerMicrosecond)).ToList();
            return new TeacherLevelResult(concurrency, requests, delay, clock.Elapsed, clientCpu, serverCpu, gcPause, allocated, Distribution.Of(latencies));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>The ledger's work for <see cref="LedgerRequests"/> annotate requests, one after another, on a fresh database.</summary>
    private static async Task<LedgerCost> MeasureLedgerAsync(SampleTrajectories samples, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("planact-bench-ledger-");
        try
        {
            var stage = new AnnotateStage(new AnnotateOptions(), Model);
            var chatOptions = new ChatOptions { ModelId = Model, Temperature = 0 };
            var requests = Enumerable.Range(0, LedgerRequests).Select(i =>
            {
                var item = samples.Copy(i);
                var request = new TeacherRequest(AnnotateStage.StageName, item.Id, 1);
                var (key, json) = RequestKey.Compute(Model, request.ApplyTo(chatOptions), stage.Messages(item), request);
                var entry = new LedgerEntry(key, ScriptedPlans.ValidPlan(item.Steps.Count), null, "stop", 1000, 100, 200, DateTimeOffset.UtcNow);
                return (Request: request, Json: json, Entry: entry);
            }).ToList();

            await using var ledger = await TeacherLedger.OpenAsync(Path.Combine(folder.FullName, "ledger.db"), cancellationToken);
            TimeSpan find = default, send = default, commit = default;
            foreach (var (request, json, entry) in requests)
            {
                var start = Stopwatch.GetTimestamp();
                if (await ledger.FindAsync(entry.Key, cancellationToken) is not null)
                {
                    throw new InvalidOperationException($"a fresh ledger already holds {entry.Key}");
                }

                find += Stopwatch.GetElapsedTime(start);
                start = Stopwatch.GetTimestamp();
                await ledger.RecordSendAsync(entry.Key, request, Model, json);
                send += Stopwatch.GetElapsedTime(start);
                start = Stopwatch.GetTimestamp();
                await ledger.CommitAsync(entry);
                commit += Stopwatch.GetElapsedTime(start);
            }

            return new LedgerCost(requests.Count, find, send, commit);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static string Table(IEnumerable<TeacherLevelResult> results, IEnumerable<FloorLevelResult> floors)
    {
        var sb = new StringBuilder()
            .AppendLine("| Concurrency | Requests | Wall s | Requests/s | Ideal requests/s | Share of ideal | Client CPU ms/request | Server CPU ms/request | GC pause ms/request | Allocated KiB/request | Overhead p50 ms | Overhead p95 ms | Bare HTTP share of ideal | Bare HTTP client CPU ms/request |")
            .AppendLine("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var (r, floor) in results.Zip(floors))
        {
            sb.AppendLine(Invariant(
                $"| {r.Concurrency} | {r.Requests:N0} | {r.Wall.TotalSeconds:F1} | {r.RequestsPerSecond:N1} | {r.IdealPerSecond:N1} | {r.Share:P1} | {r.ClientCpuMsPerRequest:F2} | {r.ServerCpuMsPerRequest:F2} | {r.GcPauseMsPerRequest:F3} | {r.AllocatedKiBPerRequest:F0} | {r.OverheadP50Ms:F1} | {r.OverheadP95Ms:F1} | {r.FloorShare(floor):P1} | {floor.ClientCpuMsPerRequest:F2} |"));
        }

        return sb.ToString().TrimEnd();
    }
}
