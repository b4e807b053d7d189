using PlanAct.IO;
using PlanAct.Text;

namespace PlanAct.Tests.Text;

public class QueryListReaderTests
{
    private static async Task<List<QueryListEntry>> ReadAsync(string path, ProblemLog? problems = null) =>
        await QueryListReader.ReadAsync(path, problems ?? new ProblemLog()).ToListAsync();

    private static string Write(string name, string content)
    {
        var path = Path.Combine(TestPaths.TempDir(), name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public async Task Plain_text_has_one_query_per_line_with_its_line_number()
    {
        var path = Write("queries.txt", "\uFEFF  Show me my orders  \n\n{\"not\": \"json here\"}\r\nWhat is the price?\n");
        var entries = await ReadAsync(path);
        Assert.Equal(["Show me my orders", "{\"not\": \"json here\"}", "What is the price?"], entries.Select(e => e.Query));
        Assert.Equal([1, 3, 4], entries.Select(e => e.Location.Line!.Value));
        Assert.All(entries, e => Assert.Empty(e.Sites));
    }

    [Fact]
    public async Task A_json_array_holds_strings_or_objects_with_intent_task_or_query()
    {
        var path = Write("list.json", """
            [
              "first query",
              {"intent": "second", "sites": ["gitlab"]},
              {"task": "third", "site": "map", "query": "ignored: task comes first"},
              {"query": "fourth", "sites": ["wikipedia", "map"]}
            ]
            """);
        var entries = await ReadAsync(path);
        Assert.Equal(["first query", "second", "third", "fourth"], entries.Select(e => e.Query));
        Assert.Equal([[], ["gitlab"], ["map"], ["wikipedia", "map"]], entries.Select(e => e.Sites.ToArray()));
        Assert.Equal(new SourceLocation(path, Element: 3), entries[3].Location);
    }

    [Fact]
    public async Task Jsonl_reports_a_bad_line_by_number()
    {
        var path = Write("list.jsonl", "{\"intent\": \"ok\"}\n\n{\"intent\": 5}\n");
        var e = await Assert.ThrowsAsync<InputException>(() => ReadAsync(path));
        Assert.Equal(new SourceLocation(path, 3), e.Location);
        Assert.Contains("\"intent\" is not a string", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"intent\": \"ok\"}\n{\"name\": \"x\"}\n", "expected an \"intent\", \"task\" or \"query\" field")]
    [InlineData("{\"intent\": \"ok\"}\n{\"intent\": \"  \"}\n", "empty query")]
    [InlineData("{\"intent\": \"ok\"}\n{\"intent\": \"x\", \"sites\": \"map\"}\n", "\"sites\" an array of strings")]
    [InlineData("{\"intent\": \"ok\"}\n{\"intent\": \"x\"\n", "malformed JSON")]
    [InlineData("{\"intent\": \"ok\"}\n[1]\n", "expected a string or an object, not array")]
    public async Task Jsonl_problems_are_named_and_skipped_when_asked(string content, string reason)
    {
        var path = Write("list.jsonl", content);
        var problems = new ProblemLog(skipInvalid: true);
        var entries = await ReadAsync(path, problems);
        Assert.Equal(["ok"], entries.Select(e => e.Query));
        var problem = Assert.Single(problems.Problems);
        Assert.Equal(new SourceLocation(path, 2), problem.Location);
        Assert.Contains(reason, problem.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_array_element_is_named_by_index()
    {
        var path = Write("list.json", "[\"a\", 42, {\"intent\": \"b\"}]");
        var problems = new ProblemLog(skipInvalid: true);
        Assert.Equal(["a", "b"], (await ReadAsync(path, problems)).Select(e => e.Query));
        Assert.Equal(new SourceLocation(path, Element: 1), Assert.Single(problems.Problems).Location);
    }

    [Fact]
    public async Task A_malformed_array_is_reported_with_its_line()
    {
        var path = Write("list.json", "[\n\"a\",\n\"b\"\n\"c\"]");
        var e = await Assert.ThrowsAsync<InputException>(() => ReadAsync(path));
        Assert.Equal(4, e.Location.Line);
    }

    [Fact]
    public async Task Empty_and_missing_files()
    {
        Assert.Empty(await ReadAsync(Write("empty.json", " \n ")));
        Assert.Empty(await ReadAsync(Write("empty.json", "[]")));
        var missing = Path.Combine(TestPaths.TempDir(), "nope.txt");
        Assert.Equal(new SourceLocation(missing), (await Assert.ThrowsAsync<InputException>(() => ReadAsync(missing))).Location);
    }

    [Fact]
    public async Task Reads_the_real_webarena_lite_test_configs()
    {
        var entries = await ReadAsync(TestPaths.RealFixture("vab_test_webarena_lite.raw.json"));
        Assert.Equal(165, entries.Count);
        Assert.All(entries, e => Assert.False(string.IsNullOrWhiteSpace(e.Query)));
        Assert.Contains(entries, e => e.Sites.Count > 1);
    }

    [Fact]
    public async Task Reads_the_real_webrl_task_list()
    {
        var entries = await ReadAsync(TestPaths.WebArenaLiteTasks);
        Assert.Equal(1123, entries.Count);
        Assert.Equal(329, entries.Count(e => e.Sites is ["reddit"]));
    }
}
