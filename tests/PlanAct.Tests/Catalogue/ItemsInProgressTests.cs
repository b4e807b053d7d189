using System.Text.Json;
using Microsoft.Extensions.AI;
using PlanAct.IO;
using PlanAct.Loopback;
using PlanAct.Stages;
using PlanAct.Teacher;
using PlanAct.Tests.Stages;
using PlanAct.Trajectories;

namespace PlanAct.Tests.Catalogue;

/// <summary>
/// A stage runner keeps a quarter more items in progress than the teacher has slots, so that a request is always
/// waiting for the slot an answer frees; the teacher still never has more requests in flight than its slots.
/// </summary>
public class ItemsInProgressTests
{
    /// <summary>Asks once per trajectory, counting the items in progress at once.</summary>
    private sealed class CountingStage : ITeacherStage<Trajectory, string>
    {
        private readonly TaskCompletionSource _five = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _active;
        private int _most;

        public string Name => "count";

        public int Most => Volatile.Read(ref _most);

        /// <summary>Done once five items were in progress at once.</summary>
        public Task Five => _five.Task;

        public string IdOf(Trajectory item) => item.Id;

        public string Format(string output) => output;

        public string IdOfRecord(string line, SourceLocation location) => IdLines.IdOf(line, location);

        public async Task<ItemResult<string>> ProcessAsync(Trajectory item, TeacherDialog teacher, CancellationToken cancellationToken)
        {
            var active = Interlocked.Increment(ref _active);
            int seen;
            while ((seen = Volatile.Read(ref _most)) < active && Interlocked.CompareExchange(ref _most, active, seen) != seen)
            {
            }

            if (active == 5)
            {
                _five.TrySetResult();
            }

            try
            {
                await teacher.AskAsync(item.Id, [new ChatMessage(ChatRole.User, item.Task)], reply => Checked<string>.Ok(reply.Text), cancellationToken);
                return new ItemResult<string>.Done(JsonSerializer.Serialize(new { id = item.Id }));
            }
            finally
            {
                Interlocked.Decrement(ref _active);
            }
        }
    }

    [Fact]
    public async Task Four_slots_have_five_items_in_progress_and_never_more_than_four_requests_in_flight()
    {
        // The teacher holds every answer until it has four requests and five items are in progress: one waits for a slot.
        var stage = new CountingStage();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var teacher = await LoopbackTeacher.StartAsync((_, _) => new LoopbackReply.After(gate.Task, new LoopbackReply.Answer("ok")));
        _ = Task.Run(async () =>
        {
            await stage.Five;
            while (teacher.MaxInFlight < 4)
            {
                await Task.Delay(10);
            }

            gate.SetResult();
        });
        var dir = TestPaths.TempDir();
        await using var session = await TeacherSession.OpenAsync(AnnotateStageTests.Options(teacher, dir, concurrency: 4));

        var summary = await new StageRunner<Trajectory, string>(stage, session).RunAsync(
            () => TrajectoryFiles.ReadAsync(Path.Combine(TestPaths.Samples, "trajectories.jsonl"), new TrajectoryReadOptions()),
            Path.Combine(dir, "out.jsonl"),
            TeacherMode.Online).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(summary.Complete);
        Assert.Equal(17, summary.Ok);
        Assert.Equal(5, stage.Most);
        Assert.Equal(4, teacher.MaxInFlight);
    }

    /// <summary>Finishes every item at once, but one only when <see cref="Release"/> is set.</summary>
    private sealed class HeldItemStage(string held) : ITeacherStage<Trajectory, string>
    {
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "held";

        public string IdOf(Trajectory item) => item.Id;

        public string Format(string output) => output;

        public string IdOfRecord(string line, SourceLocation location) => IdLines.IdOf(line, location);

        public async Task<ItemResult<string>> ProcessAsync(Trajectory item, TeacherDialog teacher, CancellationToken cancellationToken)
        {
            if (item.Id == held)
            {
                await Release.Task.WaitAsync(cancellationToken);
            }

            return new ItemResult<string>.Done(JsonSerializer.Serialize(new { id = item.Id }));
        }
    }

    [Fact]
    public async Task The_last_progress_report_is_the_final_count_even_when_an_earlier_one_arrives_late()
    {
        // Items report from their own threads: the report of the 16th item is held back until the 17th has reported,
        // as a busy machine may do, so it arrives after it. The display shows the last report; it must be 17 of 17.
        var samples = Path.Combine(TestPaths.Samples, "trajectories.jsonl");
        var first = await TrajectoryFiles.ReadAsync(samples, new TrajectoryReadOptions()).FirstAsync();
        var stage = new HeldItemStage(first.Id);
        var reports = new List<StageProgress>();
        using var final = new ManualResetEventSlim();
        var progress = new SynchronousProgress<StageProgress>(p =>
        {
            if (p.Finished == p.Total)
            {
                final.Set();
            }
            else if (p.Finished == p.Total - 1 && stage.Release.TrySetResult())
            {
                final.Wait(TimeSpan.FromSeconds(5));
            }

            lock (reports)
            {
                reports.Add(p);
            }
        });
        await using var teacher = await LoopbackTeacher.StartAsync((_, _) => new LoopbackReply.Answer("ok"));
        var dir = TestPaths.TempDir();
        await using var session = await TeacherSession.OpenAsync(AnnotateStageTests.Options(teacher, dir, concurrency: 4));

        var summary = await new StageRunner<Trajectory, string>(stage, session).RunAsync(
            () => TrajectoryFiles.ReadAsync(samples, new TrajectoryReadOptions()), Path.Combine(dir, "out.jsonl"), TeacherMode.Online, progress: progress)
            .WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(17, summary.Ok);
        Assert.Contains(reports, r => r.Finished == 16);
        Assert.Equal((17, 17), (reports[^1].Finished, reports[^1].Ok));
    }
}
