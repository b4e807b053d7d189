using PlanAct.Actions;
using PlanAct.Plans;
using PlanAct.Stages;
using PlanAct.Stages.Act;
using PlanAct.Stages.Annotate;
using PlanAct.Stages.Classify;
using PlanAct.Stages.Generation;
using PlanAct.Stages.Tasks;
using PlanAct.Teacher;

namespace PlanAct.Tests.Stages;

/// <summary>
/// The corpus of answer styles (<c>Fixtures/answers/&lt;format&gt;/&lt;style&gt;.txt</c>) through every stage's answer
/// check: each file says what it imitates, whether it must be accepted (then with the same value as the format's
/// <c>plain.txt</c>), rejected with an exact error, or accepted with a rejected pair; and which dressing must have been
/// taken off. Every file is read as written and again with Windows line ends.
/// </summary>
public class AnswerCorpusTests
{
    private const string AnswerMarker = "=== answer ===\n";

    private static readonly string Root = Path.Combine(TestPaths.Root, "tests", "PlanAct.Tests", "Fixtures", "answers");

    private static readonly WebAction Click = ActionParser.Parse("# Element: the search box\ndo(action=\"Click\", element=\"12\")");

    private static readonly Plan Reduced = new([
        new PlanStep(1, "r", "Searched for \"blue mug\".", "Search for blue mugs.", [0]),
        new PlanStep(2, "r", "Opened the first result and read its price.", "Open the first blue mug and read its price.", [1, 2])]);

    private static readonly FailureClass[] Classes = [new("Search", "d", "", []), new("Checkout", "d", "", [])];

    /// <summary>Each format's check as its stage calls it, with the value described as text so that styles can be compared.</summary>
    private static readonly Dictionary<string, Func<string, Read>> Checks = new(StringComparer.Ordinal)
    {
        ["grounded-plan"] = answer => Read.Of(AnnotateStage.Check(answer, 3), plan => PlanText.Format(plan)),
        ["data-pairs"] = answer => Read.Of(new GenerationStage("expand", "m").Check(answer, 2), Describe),
        ["rewrite"] = answer => Read.Of(CotAnnotation.CheckRewrite(answer, Reduced), r => r.Thinking + "\n" + PlanText.Format(r.Plan)),
        ["description"] = answer => Read.Of(CotAnnotation.CheckDescription(answer), d => d),
        ["classification"] = answer => Read.Of(ClassifyStage.Check(answer, Classes), l => $"{l.Class}: {l.Reasoning}"),
        ["executor"] = answer => Read.Of(ExecutorReasoningStage.Check(answer, Click), r => r),
        ["verdict"] = answer => Read.Of(JudgeStage.Check(answer), v => v.ToString()),
    };

    public static TheoryData<string, string, bool> Files()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var file in Directory.EnumerateFiles(Root, "*.txt", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(Path.GetDirectoryName(file))!, Path.GetFileNameWithoutExtension(file), false);
            data.Add(Path.GetFileName(Path.GetDirectoryName(file))!, Path.GetFileNameWithoutExtension(file), true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_answer_style_gives_its_parse_or_its_error(string format, string style, bool crlf)
    {
        var entry = CorpusEntry.Load(Path.Combine(Root, format, style + ".txt"));
        var answer = crlf ? entry.Answer.Replace("\n", "\r\n", StringComparison.Ordinal) : entry.Answer;
        var read = Checks[format](answer);

        switch (entry.Expect)
        {
            case "ok":
                Assert.Null(read.Error);
                Assert.Equal(Checks[format](CorpusEntry.Load(Path.Combine(Root, format, "plain.txt")).Answer).Value, read.Value);
                break;
            case "error":
                Assert.NotNull(read.Error);
                Assert.Contains(entry.Error!, read.Error, StringComparison.Ordinal);
                break;
            case "rejected":
                Assert.Null(read.Error);
                Assert.Contains(entry.Error!, read.Value, StringComparison.Ordinal);
                break;
            default:
                Assert.Fail($"{style}: unknown expect '{entry.Expect}'");
                break;
        }

        Assert.Equal(entry.Removed.Concat(crlf ? [Dressing.LineEnds] : []).Order(StringComparer.Ordinal), read.Removed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_format_has_a_plain_answer_and_dressed_and_wrong_ones()
    {
        foreach (var format in Checks.Keys)
        {
            var styles = Directory.EnumerateFiles(Path.Combine(Root, format), "*.txt").Select(f => CorpusEntry.Load(f)).ToList();
            Assert.Contains(styles, s => s.Expect == "ok" && s.Removed.Count == 0);
            Assert.Contains(styles, s => s.Expect == "ok" && s.Removed.Contains(Dressing.Think));
            Assert.Contains(styles, s => s.Expect is "error" or "rejected");
        }
    }

    [Fact]
    public void Every_forms_example_is_accepted_as_written()
    {
        Assert.Null(AnnotateStage.Check(AnswerForms.GroundedPlan.Example, 3).Error);
        Assert.DoesNotContain(new GenerationStage("expand", "m").Check(AnswerForms.DataPairs.Example, 1).Value!, p => p.Rejected is not null);
        Assert.Null(CotAnnotation.CheckDescription(AnswerForms.Description.Example).Error);
        Assert.Null(ExecutorReasoningStage.Check(AnswerForms.ExecutorReasoning.Example, ActionParser.Parse("do(action=\"Search\", argument=\"blue mug\", element=\"12\")")).Error);
        Assert.Null(JudgeStage.Check(AnswerForms.Verdict.Example).Error);
        Assert.Null(CotAnnotation.CheckRewrite(AnswerForms.Rewrite.Example, new Plan([Reduced.Steps[0] with { Step = "Search for the product." }])).Error);
        Assert.Equal([], ClassifyStage.Check(AnswerForms.Classification.Example.Replace("<one class name exactly as listed, or Other>", "Search", StringComparison.Ordinal), Classes).Removed ?? []);
    }

    [Theory]
    [InlineData("[3, 4, 5]", "[3, 4, 5]")]
    [InlineData("3, 4, 5", "[3, 4, 5]")]
    [InlineData("[3-5]", "[3, 4, 5]")]
    [InlineData("3 to 5.", "[3, 4, 5]")]
    [InlineData("3 – 5", "[3, 4, 5]")]
    [InlineData("[3..5]", "[3, 4, 5]")]
    [InlineData("0, 2-3", "[0, 2, 3]")]
    [InlineData("`[7]`", "[7]")]
    [InlineData("[]", "[]")]
    [InlineData("[5-3]", null)]
    [InlineData("3 or 4", null)]
    [InlineData("3 4", null)]
    [InlineData("actions 3-5", null)]
    public void Index_lists_are_read_without_brackets_and_with_ranges_but_never_guessed(string written, string? read) =>
        Assert.Equal(read, AnswerForm.IndexListText(written));

    [Fact]
    public void A_reask_names_the_dressing_taken_off_and_shows_the_expected_form()
    {
        var entry = CorpusEntry.Load(Path.Combine(Root, "grounded-plan", "error-gap.txt"));
        var result = AnnotateStage.Check(entry.Answer, 3);

        var reask = TeacherDialog.Reask(result.Error!, result.Removed, result.Form);

        Assert.StartsWith("That answer cannot be used: Action 1 is not assigned to any step", reask, StringComparison.Ordinal);
        Assert.Contains("(It was read after taking off field names written as \"**Reasoning:**\", action lists written as \"2\"; that was not the problem.)", reask, StringComparison.Ordinal);
        Assert.Contains("The expected form of a grounded plan, for example:\n\n## Step 1\nReasoning:", reask, StringComparison.Ordinal);
        Assert.EndsWith("Write the whole answer again, correcting this, in exactly the required format.", reask, StringComparison.Ordinal);
    }

    private static string Describe(IReadOnlyList<GeneratedPair> pairs) => string.Join("\n", pairs.Select(p =>
        p.Rejected is null
            ? $"pair {p.Number}: {p.Query} @ {p.Seed}\n{PlanText.Format(p.Plan!, PlanTextStyle.Target)}"
            : $"pair {p.Number}: {p.Rejected}: {p.Detail}"));

    private sealed record Read(string? Value, string? Error, IReadOnlyList<string> Removed)
    {
        public static Read Of<T>(Checked<T> result, Func<T, string> describe) => new(
            result.Error is null ? describe(result.Value!) : null, result.Error, [.. (result.Removed ?? []).Select(d => d.Kind)]);
    }

    private sealed record CorpusEntry(string Expect, string? Error, IReadOnlyList<string> Removed, string Answer)
    {
        public static CorpusEntry Load(string path)
        {
            var text = File.ReadAllText(path);
            var split = text.IndexOf(AnswerMarker, StringComparison.Ordinal);
            Assert.True(split > 0, $"{path}: no '{AnswerMarker.Trim()}' line");
            var header = text[..split].Split('\n').Select(l => l.Split(':', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0].Trim(), p => p[1].Trim());
            return new CorpusEntry(
                header["expect"],
                header.GetValueOrDefault("error"),
                header.TryGetValue("removed", out var removed) ? removed.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [],
                text[(split + AnswerMarker.Length)..]);
        }
    }
}
