using PlanAct.Loopback;
using PlanAct.Pipeline;
using PlanAct.Teacher;
using PlanAct.Tests.Stages;
using static PlanAct.Tests.Pipeline.FollowingRuns;

namespace PlanAct.Tests.Pipeline;

/// <summary>
/// export following replan and dynamic-act in a pipeline run: the replanner file is built as replan appends each record,
/// the dynamic-executor file as dynamic-act builds each trajectory's examples, and what export writes and counts
/// (files, cards, statistics, summary) is what reading the finished files gives.
/// </summary>
public class ExportFollowsReplanTests
{
    private const string Followed = "export: replanner built as replan appended each record";

    private const string FollowedDynamic = "export: dynamic-executor built as dynamic-act appended each record";

    /// <summary>The pipeline: annotate, replan with <paramref name="replanOptions"/>, dynamic-act, export with <paramref name="exportOptions"/>.</summary>
    private static PipelineDefinition Pipeline(string dir, string exportOptions, string replanOptions = "{}") =>
        FollowingRuns.Pipeline(dir, $"  annotate: {{}}\n  replan:\n    options: {replanOptions}\n  dynamic-act: {{}}\n  export:\n    options: {exportOptions}\n");

    /// <summary>Every file export wrote of replan's and dynamic-act's files, by name.</summary>
    private static Dictionary<string, byte[]> FollowedFiles(string folder) =>
        Directory.GetFiles(folder).Where(f => Path.GetFileName(f).StartsWith("replanner.", StringComparison.Ordinal) || Path.GetFileName(f).StartsWith("dynamic-executor.", StringComparison.Ordinal))
            .Where(f => !f.EndsWith(".stamp.json", StringComparison.Ordinal)).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);

    [Theory]
    // Some replanner examples over the limit (left out in order), and the other profile, which refuses every replan
    // without reasoning and lays the rest out its own way.
    [InlineData("{ formats: [openai-chat, sharegpt, alpaca], max_tokens: 1500 }", "{}")]
    [InlineData("{ formats: [trl, torchtune], profile: plan-and-act, with_reasoning: true }", "{ cot: true }")]
    public async Task The_replanner_files_built_while_replan_runs_are_byte_for_byte_what_reading_its_file_gives_with_the_same_counts(string exportOptions, string replanOptions)
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => Answer(r, replanOptions.Contains("cot: true", StringComparison.Ordinal)));
        var dir = TestPaths.TempDir();
        var folder = Path.Combine(dir, "run", "export");
        var pipeline = Pipeline(dir, exportOptions, replanOptions);
        await using var session = await TeacherSession.OpenAsync(AnnotateStageTests.Options(teacher, dir, concurrency: 8));

        var following = await PipelineRunner.RunAsync(pipeline, session, new PipelineRunOptions()).WaitAsync(Bound);
        var followed = following.Stages.Single(s => s.Stage == "export");
        var followedFiles = FollowedFiles(folder);
        var followedStats = StatsWithoutTime(Path.Combine(folder, "export.stats.json"));

        Assert.Equal(NodeStatus.Done, followed.Status);
        Assert.Contains(Followed, followed.Details);
        Assert.Contains(FollowedDynamic, followed.Details);
        Assert.NotEqual(0, following.Stages.Single(s => s.Stage == "replan").Run!.Quarantined);
        Assert.NotEmpty(followedFiles);
        Assert.Empty(Directory.GetFiles(folder, "*.spool"));
        // ShareGPT files are named in dataset_info.json, as when they are written from the files.
        var info = Path.Combine(folder, "dataset_info.json");
        var followedInfo = File.Exists(info) ? await File.ReadAllTextAsync(info) : null;
        if (exportOptions.Contains("sharegpt", StringComparison.Ordinal))
        {
            Assert.Contains("\"replanner.sharegpt\"", followedInfo, StringComparison.Ordinal);
            Assert.Contains("\"dynamic-executor.sharegpt\"", followedInfo, StringComparison.Ordinal);
        }

        // Examples left out, in the order of replan's file.
        Assert.DoesNotContain("0 left out over max_tokens, 0 refused", followed.Summary, StringComparison.Ordinal);

        // Replan and dynamic-act up to date: nothing is handed on, so export reads their files and builds every example itself.
        foreach (var name in followedFiles.Keys)
        {
            File.Delete(Path.Combine(folder, name));
        }

        var reading = await PipelineRunner.RunAsync(pipeline, session, new PipelineRunOptions()).WaitAsync(Bound);
        var read = reading.Stages.Single(s => s.Stage == "export");

        Assert.DoesNotContain(Followed, read.Details);
        Assert.DoesNotContain(FollowedDynamic, read.Details);
        Assert.Equal(NodeStatus.Done, read.Status);
        Assert.Equal(followedFiles.Keys.Order(), FollowedFiles(folder).Keys.Order());
        foreach (var (name, bytes) in FollowedFiles(folder))
        {
            Assert.True(bytes.AsSpan().SequenceEqual(followedFiles[name]), $"{name} differs");
        }

        Assert.Equal(followedInfo, File.Exists(info) ? await File.ReadAllTextAsync(info) : null);
        Assert.Equal(followed.Summary, read.Summary);
        Assert.Equal(followed.Problems, read.Problems);
        Assert.Equal(followedStats, StatsWithoutTime(Path.Combine(folder, "export.stats.json")));
    }

    [Fact]
    public async Task An_export_with_a_validation_split_does_not_follow_and_reads_the_file()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedReplans.ValidForEither(r));
        var dir = TestPaths.TempDir();
        var pipeline = Pipeline(dir, "{ formats: [openai-chat], validation: 0.2 }");
        await using var session = await TeacherSession.OpenAsync(AnnotateStageTests.Options(teacher, dir, concurrency: 8));

        var result = await PipelineRunner.RunAsync(pipeline, session, new PipelineRunOptions()).WaitAsync(Bound);
        var export = result.Stages.Single(s => s.Stage == "export");

        Assert.Equal(NodeStatus.Done, export.Status);
        Assert.DoesNotContain(Followed, export.Details);
        Assert.True(File.Exists(Path.Combine(dir, "run", "export", "replanner.openai-chat.validation.jsonl")));
    }

    [Fact]
    public async Task A_replan_that_quarantines_every_trajectory_leaves_an_empty_file_and_the_run_still_exports_and_reports()
    {
        // CoT replans asked of a teacher that writes no reasoning: every trajectory is quarantined.
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedReplans.ValidForEither(r));
        var dir = TestPaths.TempDir();
        var pipeline = Pipeline(dir, "{ formats: [openai-chat] }", "{ cot: true }");
        await using var session = await TeacherSession.OpenAsync(AnnotateStageTests.Options(teacher, dir, concurrency: 8));

        var result = await PipelineRunner.RunAsync(pipeline, session, new PipelineRunOptions()).WaitAsync(Bound);

        Assert.Equal(0, new FileInfo(Path.Combine(dir, "run", "replans.cot.jsonl")).Length);
        Assert.All(result.Stages, s => Assert.Equal(NodeStatus.Done, s.Status));
        Assert.Empty(Directory.GetFiles(Path.Combine(dir, "run", "export"), "replanner.*"));
        Assert.True(File.Exists(Path.Combine(dir, "run", "report.html")));
    }
}
