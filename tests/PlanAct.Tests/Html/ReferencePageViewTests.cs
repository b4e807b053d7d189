using System.Text.Json;
using PlanAct.Html;

namespace PlanAct.Tests.Html;

/// <summary>
/// The reference-compatible renderings against the reference's own outputs (Fixtures/reference-views, made with
/// BeautifulSoup 4.11.2 on Python 3.11), then on markup the vectors do not cover, where the expected strings are what
/// the reference's functions print for them.
/// </summary>
public class ReferencePageViewTests
{
    private static readonly string VectorDir = Path.Combine(TestPaths.Root, "tests", "PlanAct.Tests", "Fixtures", "reference-views");

    private static readonly Lazy<List<JsonElement>> SampleRows = new(() => ReadRows("samples-views.jsonl"));

    private static readonly Lazy<List<JsonElement>> StartPageRows = new(() => ReadRows("start-pages-views.jsonl"));

    private static List<JsonElement> ReadRows(string file) =>
        File.ReadLines(Path.Combine(VectorDir, file)).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    public static TheoryData<int, string> SampleVectors()
    {
        var data = new TheoryData<int, string>();
        for (var row = 0; row < SampleRows.Value.Count; row++)
        {
            foreach (var view in new[] { "planner", "executor", "earlier_round" })
            {
                data.Add(row, view);
            }
        }

        return data;
    }

    public static TheoryData<string, string> StartPageVectors()
    {
        var data = new TheoryData<string, string>();
        foreach (var row in StartPageRows.Value)
        {
            foreach (var view in new[] { "planner", "executor", "earlier_round_element_9999" })
            {
                data.Add(row.GetProperty("page").GetString()!, view);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SampleVectors))]
    public void Sample_step_renders_as_the_reference_does(int row, string view)
    {
        var vector = SampleRows.Value[row];
        var html = vector.GetProperty("html").GetString()!;
        var element = vector.GetProperty("element").ValueKind == JsonValueKind.Null ? null : vector.GetProperty("element").GetString();
        var actual = view switch
        {
            "planner" => ReferencePageView.Planner(html),
            "executor" => ReferencePageView.Executor(html, element),
            _ => ReferencePageView.EarlierRound(html, element),
        };
        var label = $"{vector.GetProperty("trajectory").GetString()} step {vector.GetProperty("step").GetInt32()} {view}";
        AssertSameText(vector.GetProperty(view).GetString()!, actual, label);
    }

    [Theory]
    [MemberData(nameof(StartPageVectors))]
    public void Start_page_renders_as_the_reference_does(string page, string view)
    {
        var vector = StartPageRows.Value.Single(r => r.GetProperty("page").GetString() == page);
        var html = vector.GetProperty("html").GetString()!;
        var actual = view switch
        {
            "planner" => ReferencePageView.Planner(html),
            "executor" => ReferencePageView.Executor(html, null),
            _ => ReferencePageView.EarlierRound(html, "9999"),
        };
        AssertSameText(vector.GetProperty(view).GetString()!, actual, $"start page {page} {view}");
    }

    [Fact]
    public void Every_vector_is_tested()
    {
        Assert.Equal(115, SampleRows.Value.Count);
        Assert.Equal(5, StartPageRows.Value.Count);
    }

    /// <summary>Byte-for-byte equality; on failure the message shows where the texts part and both sides there.</summary>
    private static void AssertSameText(string expected, string actual, string label)
    {
        if (expected == actual)
        {
            return;
        }

        var at = 0;
        while (at < expected.Length && at < actual.Length && expected[at] == actual[at])
        {
            at++;
        }

        var line = expected.AsSpan(0, at).Count('\n') + 1;
        var from = Math.Max(0, at - 120);
        Assert.Fail(
            $"{label}: first difference at char {at} (line {line}); expected length {expected.Length}, actual {actual.Length}\n" +
            $"--- expected from {from}:\n{Excerpt(expected, from)}\n--- actual from {from}:\n{Excerpt(actual, from)}");
    }

    private static string Excerpt(string s, int from) => from >= s.Length ? "<end>" : s.Substring(from, Math.Min(300, s.Length - from));
}
