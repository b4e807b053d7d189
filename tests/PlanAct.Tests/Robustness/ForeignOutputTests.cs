using PlanAct.IO;
using PlanAct.Loopback;
using PlanAct.Plans;
using PlanAct.Stages.Annotate;
using PlanAct.Stages.Classify;
using PlanAct.Tests.Cli;
using PlanAct.Tests.Training;

namespace PlanAct.Tests.Robustness;

/// <summary>
/// Resume trusts a line of an existing output only if it is a record of the stage's kind for an item of this input.
/// Found: <c>annotate --out</c> naming any file with <c>id</c> fields (the input's copy) said "17 ok (17 from an
/// earlier run)", annotated nothing and rewrote the file. Now such an output is refused (exit 2) at its line, untouched.
/// </summary>
public class ForeignOutputTests
{
    private static IReadOnlyDictionary<string, string> Key => new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-test" };

    private static string[] Annotate(LoopbackTeacher teacher, string dir, string input, string output) =>
        ["annotate", "--input", input, "--out", output, "--base-url", teacher.BaseUrl.ToString(), "--model", "loopback-model", "--ledger", Path.Combine(dir, "ledger.db")];

    [Fact]
    public async Task Annotate_refuses_an_output_that_holds_trajectories_or_plans_of_other_items_and_leaves_it_untouched()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => ScriptedPlans.Valid(r));
        var dir = TestPaths.TempDir();
        var input = Path.Combine(TestPaths.Samples, "trajectories.jsonl");
        var copy = Path.Combine(dir, "copy.jsonl");
        File.Copy(input, copy);

        var foreign = await PlanactProcess.RunAsync(Key, Annotate(teacher, dir, input, copy));
        Assert.True(foreign.ExitCode == 2, foreign.Stderr);
        Assert.Contains($"{copy}:1: unsupported schema \"planact/trajectory@2\" (expected \"planact/plan@2\"); this file is not this output, so it is left as it is", foreign.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("from an earlier run", foreign.Stderr, StringComparison.Ordinal);
        Assert.Equal(await File.ReadAllBytesAsync(input), await File.ReadAllBytesAsync(copy));
        Assert.Equal(0, teacher.Calls);

        // Plans of all 17 trajectories are annotate's records, but not for an input of the first four only.
        var plans = Path.Combine(dir, "plans.jsonl");
        var made = await PlanactProcess.RunAsync(Key, Annotate(teacher, dir, input, plans));
        Assert.True(made.ExitCode == 0, made.Stderr);
        var four = Path.Combine(dir, "four.jsonl");
        await File.WriteAllLinesAsync(four, File.ReadLines(input).Take(4));
        var before = await File.ReadAllBytesAsync(plans);
        var other = await PlanactProcess.RunAsync(Key, Annotate(teacher, dir, four, plans));
        Assert.True(other.ExitCode == 2, other.Stderr);
        Assert.Matches($@"{System.Text.RegularExpressions.Regex.Escape(plans)}:5: annotate's record of ""sft-[0-9a-f]+"", which is not an item of this input", other.Stderr);
        Assert.Equal(before, await File.ReadAllBytesAsync(plans));
        Assert.Equal(17, teacher.Calls);
    }

    [Fact]
    public async Task Each_stage_reads_only_its_own_kind_of_record()
    {
        var trajectory = (await TestPlans.SampleTrajectoriesAsync())[0];
        var plan = PlanJsonl.Format(TestPlans.For(trajectory));
        var labelled = PlanJsonl.Format(TestPlans.For(trajectory) with { Label = new FailureLabel("Search", "why") });
        var at = new SourceLocation("out.jsonl", 1);
        var annotate = new AnnotateStage(new AnnotateOptions(), "m");
        var classify = new ClassifyStage(FailureClasses.Load(Path.Combine(TestPaths.Samples, "failure-classes.yaml")));

        Assert.Equal(trajectory.Id, annotate.IdOfRecord(plan, at));
        Assert.Equal(trajectory.Id, classify.IdOfRecord(labelled, at));
        Assert.Contains("not classify's output", Assert.Throws<InputException>(() => classify.IdOfRecord(plan, at)).Message, StringComparison.Ordinal);
        Assert.Contains("a plan record that annotate does not write", Assert.Throws<InputException>(() => annotate.IdOfRecord(labelled, at)).Message, StringComparison.Ordinal);
        Assert.Contains("expected a JSON object", Assert.Throws<InputException>(() => annotate.IdOfRecord("[1, 2]", at)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"id\": \"a\"}\n{\"id\": \"b\"", true, "{\"id\": \"a\"}\n")]
    [InlineData("{\"id\": \"a\"}\n{\"id\": \"b\"}", true, "{\"id\": \"a\"}\n")]
    [InlineData("{\"id\": \"a\"}\n  \r", true, "{\"id\": \"a\"}\n")]
    [InlineData("{\"id\": \"a\"}\n[{\"id\": \"b\"", false, null)]
    [InlineData("{\"id\": \"a\"}\n{\"name\": \"b\"}", false, null)]
    [InlineData("{\"id\": \"a\"}\n{\"id\": \"a\"}\n", false, null)]
    [InlineData("[{\"id\": \"a\"}]", false, null)]
    [InlineData("{\"id\": \"a\"}\n\u00ff\n", false, null)]
    public async Task A_torn_last_line_is_cut_only_when_it_can_be_one_of_ours_and_anything_else_is_refused_untouched(string content, bool opens, string? after)
    {
        var path = Path.Combine(TestPaths.TempDir(), "out.jsonl");
        var bytes = System.Text.Encoding.Latin1.GetBytes(content);
        await File.WriteAllBytesAsync(path, bytes);
        if (opens)
        {
            await using (var output = await ResumableJsonl.OpenAsync(path, IdLines.IdOf))
            {
                Assert.Equal(["a"], output.Done);
            }

            Assert.Equal(after, await File.ReadAllTextAsync(path));
        }
        else
        {
            var refused = await Assert.ThrowsAsync<ForeignOutputException>(() => ResumableJsonl.OpenAsync(path, IdLines.IdOf));
            Assert.Equal(path, refused.Location.File);
            Assert.NotNull(refused.Location.Line);
            Assert.Equal(bytes, await File.ReadAllBytesAsync(path));
        }
    }
}
