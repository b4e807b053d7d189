using System.Collections.Concurrent;
using System.Diagnostics;
using PlanAct.Pipeline;
using PlanAct.Stages;
using PlanAct.Stages.Catalogue;

namespace PlanAct.Bench;

/// <summary>One pass of a stage runner over its items: expand asks in waves, each wave a pass; other stages make one.</summary>
/// <param name="Items">Items the pass processed (not those an earlier pass had done).</param>
/// <param name="Requests">Requests the pass sent.</param>
internal sealed record StagePass(int Items, int Requests);

/// <summary>What one stage of one pipeline run did, as the benchmark measured it around the node.</summary>
/// <param name="Stage">The stage's name.</param>
/// <param name="Sent">Requests the stage sent to the teacher (answers replayed from the ledger are not sent).</param>
/// <param name="Passes">The stage runner's passes that processed something, in order.</param>
/// <param name="Start">When the node started, from the start of the run.</param>
/// <param name="Wall">Wall time of the node.</param>
/// <param name="PipelineCpu">CPU time of this process (the pipeline) while the node ran (nodes running at the same time share it).</param>
/// <param name="TeacherCpu">CPU time of the loopback teacher's process while the node ran (likewise).</param>
internal sealed record StageMeasurement(string Stage, int Sent, IReadOnlyList<StagePass> Passes, TimeSpan Start, TimeSpan Wall, TimeSpan PipelineCpu, TimeSpan TeacherCpu)
{
    public TimeSpan End => Start + Wall;
}

/// <summary>
/// Measures every node of a pipeline run: wraps the nodes of a registry, and takes the stage runners' progress to
/// tell their passes apart (a pass's reports share its item count; the stage's sent count at its last report is
/// everything the pass sent, since the next pass starts only when every item of this one has reported). Nodes may run
/// at the same time: a stage's requests and progress carry its name, so each is counted apart.
/// </summary>
internal sealed class StageMeter(Func<TimeSpan> teacherCpu) : IProgress<StageProgress>
{
    private readonly Lock _lock = new();
    private readonly ConcurrentQueue<StageMeasurement> _measured = new();
    private readonly Dictionary<string, (int SentBefore, List<(int Total, int AlreadyDone, int Sent)> Passes)> _running = new(StringComparer.Ordinal);
    private readonly Stopwatch _run = Stopwatch.StartNew();

    public IReadOnlyCollection<StageMeasurement> Measured => _measured;

    /// <summary>The nodes of <paramref name="registry"/>, each measured.</summary>
    public PipelineRegistry Wrap(PipelineRegistry registry) => new([.. registry.Nodes.Select(n => new MeasuredNode(n, this))]);

    public void Report(StageProgress value)
    {
        lock (_lock)
        {
            // A node's own summary (act, export) reports nothing sent.
            if (!_running.TryGetValue(value.Stage, out var node) || value.Sent <= node.SentBefore)
            {
                return;
            }

            var pass = node.Passes.FindIndex(p => p.Total == value.Total);
            if (pass < 0)
            {
                node.Passes.Add((value.Total, value.AlreadyDone, value.Sent));
            }
            else
            {
                node.Passes[pass] = node.Passes[pass] with { Sent = Math.Max(node.Passes[pass].Sent, value.Sent) };
            }
        }
    }

    private async Task<NodeResult> MeasureAsync(IPipelineNode node, PipelineContext context, StageOptions options, CancellationToken cancellationToken)
    {
        int SentSoFar() => context.Session.Meter.Lines().Where(l => l.Stage == node.Name).Sum(l => l.Sent);

        var sentBefore = SentSoFar();
        List<(int Total, int AlreadyDone, int Sent)> reported = [];
        lock (_lock)
        {
            _running[node.Name] = (sentBefore, reported);
        }

        using var self = Process.GetCurrentProcess();
        var cpuBefore = self.TotalProcessorTime;
        var teacherBefore = teacherCpu();
        var start = _run.Elapsed;
        var result = await node.RunAsync(context, options, cancellationToken);
        var wall = _run.Elapsed - start;
        self.Refresh();
        var cpu = self.TotalProcessorTime - cpuBefore;
        var teacher = teacherCpu() - teacherBefore;
        var passes = new List<StagePass>();
        lock (_lock)
        {
            _running.Remove(node.Name);
            var sentThen = sentBefore;
            foreach (var (total, alreadyDone, sent) in reported)
            {
                passes.Add(new StagePass(total - alreadyDone, sent - sentThen));
                sentThen = sent;
            }
        }

        _measured.Enqueue(new StageMeasurement(node.Name, SentSoFar() - sentBefore, passes, start, wall, cpu, teacher));
        return result;
    }
    private sealed class MeasuredNode(IPipelineNode inner, StageMeter meter) : IPipelineNode
    {
        public string Name => inner.Name;

        public IReadOnlyList<string> Requires => inner.Requires;

        public bool YieldsTrainingData => inner.YieldsTrainingData;

        public bool ReadsAllTrainingData => inner.ReadsAllTrainingData;

        public bool StartsEarly => inner.StartsEarly;

        public void Check(StageOptions options) => inner.Check(options);

        public string? ExpectedRequests(RunInput input, StageOptions options) => inner.ExpectedRequests(input, options);

        public bool AsksTeacher(StageOptions options) => inner.AsksTeacher(options);

        public IReadOnlyList<StageFollower> Follow(PipelineContext context, StageOptions options) => inner.Follow(context, options);

        public Task<NodeResult> RunAsync(PipelineContext context, StageOptions options, CancellationToken cancellationToken) =>
            meter.MeasureAsync(inner, context, options, cancellationToken);
    }
}
