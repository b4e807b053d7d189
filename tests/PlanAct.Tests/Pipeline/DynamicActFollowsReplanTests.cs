using PlanAct.Loopback;
using PlanAct.Pipeline;
using PlanAct.Stages;
using PlanAct.Stages.Catalogue;
using PlanAct.Teacher;
using PlanAct.Tests.Stages;
using static PlanAct.Tests.Pipeline.FollowingRuns;

namespace PlanAct.Tests.Pipeline;

/// <summary>
/// dynamic-act following replan in a pipeline run: its examples are built as replan finishes each trajectory, and
/// what it writes and counts is what reading replan's finished file gives, problems and skipped trajectories included.
/// </summary>
public class DynamicActFollowsReplanTests
{
    private const string Followed = "dynamic-act: built as replan finished each trajectory";

    private static PipelineDefinition Pipeline(string dir) => FollowingRuns.Pipeline(dir, "  annotate: {}\n  replan: {}\n  dynamic-act: {}\n");

    [Fact]
    public async Task Examples_built_while_replan_runs_are_byte_for_byte_what_reading_its_file_gives_with_the_same_counts_and_problems()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => Answer(r));
        var dir = TestPaths.TempDir();
        var run = Path.Combine(dir, "run");
        var pipeline = Pipeline(dir);
        var output = Path.Combine(run, "dynamic-executor.jsonl");
        await using var session = await TeacherSession.OpenAsync(AnnotateStageTests.Options(teacher, dir, concurrency: 8));

        var following = await PipelineRunner.RunAsync(pipeline, session, new PipelineRunOptions()).WaitAsync(Bound);
        var followed = following.Stages.Single(s => s.Stage == "dynamic-act");
        var followedBytes = await File.ReadAllBytesAsync(output);
        var followedStats = StatsWithoutTime(Path.Combine(run, "dynamic-executor.stats.json"));

        Assert.Contains(Followed, followed.Details);
        Assert.NotEqual(0, following.Stages.Single(s => s.Stage == "replan").Run!.Quarantined);
        Assert.Contains("without a replan record", followed.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain("0 without", followed.Summary, StringComparison.Ordinal);
        Assert.True(followed.Problems > 0);
        Assert.Empty(Directory.GetFiles(run, "*.spool"));

        // Replan up to date: nothing is handed on, so dynamic-act reads both files and builds every example itself.
        File.Delete(output);
        var reading = await PipelineRunner.RunAsync(pipeline, session, new PipelineRunOptions()).WaitAsync(Bound);
        var read = reading.Stages.Single(s => s.Stage == "dynamic-act");

        Assert.DoesNotContain(Followed, read.Details);
        Assert.Equal(NodeStatus.Done, read.Status);
        Assert.Equal(followedBytes, await File.ReadAllBytesAsync(output));
        Assert.Equal(followed.Summary, read.Summary);
        Assert.Equal(followed.Problems, read.Problems);
        Assert.Equal(followed.Details[0], read.Details[0]);
        Assert.Equal(followedStats, StatsWithoutTime(Path.Combine(run, "dynamic-executor.stats.json")));
        Assert.Equal(following.Problems.ToHashSet(), reading.Problems.ToHashSet());
    }

    [Fact]
    public async Task Replan_resuming_an_earlier_output_is_not_followed_and_dynamic_act_reads_its_file()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedReplans.ValidForEither(r));
        var dir = TestPaths.TempDir();
        var run = Path.Combine(dir, "run");
        var pipeline = Pipeline(dir);
        await using var session = await TeacherSession.OpenAsync(AnnotateStageTests.Options(teacher, dir, concurrency: 8));
        await PipelineRunner.RunAsync(pipeline, session, new PipelineRunOptions()).WaitAsync(Bound);
        var whole = await File.ReadAllBytesAsync(Path.Combine(run, "dynamic-executor.jsonl"));

        // An earlier run that stopped before replan's last record (its stamp gone with it).
        var replans = Path.Combine(run, "replans.jsonl");
        await File.WriteAllLinesAsync(replans, (await File.ReadAllLinesAsync(replans))[..^3]);
        File.Delete(Path.Combine(run, "replans.stamp.json"));
        var resumed = await PipelineRunner.RunAsync(pipeline, session, new PipelineRunOptions()).WaitAsync(Bound);

        Assert.Equal(14, resumed.Stages.Single(s => s.Stage == "replan").Run!.AlreadyDone);
        Assert.DoesNotContain(Followed, resumed.Stages.Single(s => s.Stage == "dynamic-act").Details);
        Assert.Equal(whole, await File.ReadAllBytesAsync(Path.Combine(run, "dynamic-executor.jsonl")));
    }

    [Fact]
    public async Task A_feed_that_no_runner_opened_ends_with_none_and_a_second_opening_ends_its_items_in_an_error()
    {
        var unopened = new ItemFeed<string, int>();
        unopened.Complete();

        Assert.Equal(-1, await unopened.Opened);
        Assert.Empty(unopened.ReadAll(CancellationToken.None));

        var twice = new ItemFeed<string, int>();
        twice.Open(0);
        twice.Add("a", 1);
        twice.Open(0);

        Assert.Equal(0, await twice.Opened);
        Assert.Throws<InvalidOperationException>(() => twice.ReadAll(CancellationToken.None).ToList());
    }

    /// <summary>A follower whose preparation fails.</summary>
    private sealed class FailingFollower() : StageFollower("replan", new ItemFeed<string, int>())
    {
        public bool Released { get; private set; }

        protected override async Task<bool> PrepareAsync(CancellationToken cancellationToken)
        {
            await Feed.Opened.WaitAsync(cancellationToken);
            throw new IOException("disk full");
        }

        protected override ValueTask ReleaseAsync()
        {
            Released = true;
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task A_follower_that_fails_or_never_starts_has_prepared_nothing_and_is_released()
    {
        var idle = new FailingFollower();
        Assert.False(await idle.PreparedAsync());
        await idle.DisposeAsync();
        Assert.True(idle.Released);

        var failing = new FailingFollower();
        failing.Start(TaskScheduler.Default, CancellationToken.None);
        failing.Feed.Open(0);

        Assert.False(await failing.PreparedAsync().WaitAsync(Bound));
        // What the stage still hands on is dropped: the feed holds nothing and is over.
        failing.Feed.Add("late", 1);
        Assert.Empty(await Task.Run(() => ((ItemFeed<string, int>)failing.Feed).ReadAll(CancellationToken.None).ToList()).WaitAsync(Bound));
        await failing.DisposeAsync();
        Assert.True(failing.Released);
    }
}
