using PlanAct.IO;
using PlanAct.Training;

namespace PlanAct.Tests.Training;

public class ExampleRecordTests
{
    internal static TrainingExample Nasty(string id = "t1/executor/1") => new(
        id,
        ExampleKind.Executor,
        "shopping",
        "Find the \"blue\" mug — café ☕",
        EquatableList.Of(
            ExampleMessage.System("You act.\nTask: find the \"blue\" mug"),
            ExampleMessage.User("** Simplified html **"),
            ExampleMessage.Assistant("# Element: the search bar\ndo(action=\"Search\", argument=\"blue \\\"mug\\\"\", element=\"5\")"),
            ExampleMessage.User("<a id=\"0\"> Mug — 5 € </a>\n<p>naïve \\ backslash</p>"),
            ExampleMessage.Assistant("exit(message=\"5 €\")")),
        new ExampleSource("t1", 1, "t1"))
    {
        Reasoning = "The price is \"5 €\".\nSo answer.",
        Teacher = "gpt-4.1",
        Requests = EquatableList.Of("req-1"),
    };

    private static Task<List<TrainingExample>> ReadAll(string path, ProblemLog? problems = null) =>
        ExampleJsonl.ReadAsync(path, problems ?? new ProblemLog()).ToListAsync().AsTask();

    [Fact]
    public async Task Write_then_read_is_identity()
    {
        var path = Path.Combine(TestPaths.TempDir(), "examples.jsonl");
        var examples = new[] { Nasty(), Nasty("t1/executor/2") with { Reasoning = null, Teacher = null, Requests = null, Source = new ExampleSource(null, Plan: "p") } };
        Assert.Equal(2, await ExampleJsonl.WriteAsync(path, examples.ToAsyncEnumerable()));
        Assert.Equal(examples, await ReadAll(path));
        var text = await File.ReadAllTextAsync(path);
        Assert.StartsWith("{\"schema\":\"planact/example@1\",\"id\":\"t1/executor/1\",\"kind\":\"executor\"", text, StringComparison.Ordinal);
        Assert.Contains("<a id=\\\"0\\\"> Mug — 5 €", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writing_an_invalid_example_writes_nothing()
    {
        var path = Path.Combine(TestPaths.TempDir(), "examples.jsonl");
        var bad = Nasty() with { Messages = EquatableList.Of(ExampleMessage.User("q")) };
        await Assert.ThrowsAsync<InvalidOperationException>(() => ExampleJsonl.WriteAsync(path, new[] { Nasty(), bad }.ToAsyncEnumerable()));
        Assert.False(File.Exists(path));
    }

    [Theory]
    [InlineData(new[] { "user:q", "assistant:a" }, null)]
    [InlineData(new[] { "system:s", "user:q", "assistant:a", "user:q2", "assistant:a2" }, null)]
    [InlineData(new[] { "system:s" }, "there is only a system message")]
    [InlineData(new[] { "system:s", "user:q" }, "the last message is user; it must be the assistant target")]
    [InlineData(new[] { "assistant:a" }, "message 0 is assistant where user was expected")]
    [InlineData(new[] { "user:q", "system:s", "assistant:a" }, "message 1 is a system message; only the first message may be one")]
    [InlineData(new[] { "user:q", "user:q2", "assistant:a" }, "message 1 is user where assistant was expected")]
    [InlineData(new[] { "user:q", "assistant: \n " }, "message 1 (assistant) is empty")]
    public void Validator_checks_roles_order_and_content(string[] messages, string? expected)
    {
        var example = Nasty() with
        {
            Messages = messages.Select(m => m.Split(':', 2)).Select(p => new ExampleMessage(ExampleNames.ParseRole(p[0])!.Value, p[1])).ToEquatableList(),
        };
        var errors = ExampleValidator.Validate(example);
        if (expected is null)
        {
            Assert.Empty(errors);
        }
        else
        {
            Assert.Contains(errors, e => e.StartsWith(expected, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("{\"id\": \"a\", \"kind\": \"executor\"", "malformed JSON")]
    [InlineData("{\"schema\": \"planact/plan@1\", \"id\": \"a\"}", "unsupported schema \"planact/plan@1\"")]
    [InlineData("{\"kind\": \"executor\", \"task\": \"t\", \"messages\": [], \"source\": {\"trajectory\": \"t\"}}", "missing \"id\"")]
    [InlineData("{\"id\": \"a\", \"kind\": \"critic\", \"task\": \"t\", \"messages\": [], \"source\": {\"trajectory\": \"t\"}}", "\"kind\" must be planner, executor or replanner; got \"critic\"")]
    [InlineData("{\"id\": \"a\", \"kind\": \"planner\", \"task\": \" \", \"messages\": [], \"source\": {\"trajectory\": \"t\"}}", "missing or empty \"task\"")]
    [InlineData("{\"id\": \"a\", \"kind\": \"planner\", \"task\": \"t\", \"messages\": [], \"source\": {\"trajectory\": \"t\"}}", "no messages")]
    [InlineData("{\"id\": \"a\", \"kind\": \"planner\", \"task\": \"t\", \"messages\": [{\"role\": \"user\", \"content\": \"q\"}, {\"role\": \"assistant\", \"content\": \"a\"}]}", "missing \"source\"")]
    [InlineData("{\"id\": \"a\", \"kind\": \"planner\", \"task\": \"t\", \"messages\": [{\"role\": \"tool\", \"content\": \"q\"}], \"source\": {\"trajectory\": \"t\"}}", "message 0: \"role\" must be system, user or assistant; got \"tool\"")]
    [InlineData("{\"id\": \"a\", \"kind\": \"planner\", \"task\": \"t\", \"messages\": [{\"role\": \"user\"}], \"source\": {\"trajectory\": \"t\"}}", "message 0 has no \"content\"")]
    [InlineData("{\"id\": \"a\", \"kind\": \"planner\", \"task\": \"t\", \"messages\": [{\"role\": \"user\", \"content\": \"q\"}], \"source\": {\"trajectory\": \"t\"}}", "example \"a\": the last message is user")]
    [InlineData("{\"id\": \"a\", \"kind\": \"planner\", \"task\": \"t\", \"messages\": [{\"role\": \"user\", \"content\": \"q\"}, {\"role\": \"assistant\", \"content\": \"a\"}], \"source\": {}}", "the source names neither a trajectory nor a plan")]
    [InlineData("{\"id\": \"t1/executor/1\", \"kind\": \"planner\", \"task\": \"t\", \"messages\": [{\"role\": \"user\", \"content\": \"q\"}, {\"role\": \"assistant\", \"content\": \"a\"}], \"source\": {\"plan\": \"p\"}}", "duplicate id \"t1/executor/1\" (first at line 1)")]
    public async Task Bad_lines_name_file_line_and_reason(string badLine, string expected)
    {
        var path = Path.Combine(TestPaths.TempDir(), "bad.jsonl");
        await File.WriteAllTextAsync(path, ExampleJsonl.Format(Nasty()) + "\n\n" + badLine + "\n");
        var e = await Assert.ThrowsAsync<InputException>(() => ReadAll(path));
        Assert.Equal(3, e.Location.Line);
        Assert.Contains(expected, e.Reason, StringComparison.Ordinal);
        Assert.StartsWith($"{path}:3: ", e.Message, StringComparison.Ordinal);

        var problems = new ProblemLog(skipInvalid: true);
        Assert.Single(await ReadAll(path, problems));
        Assert.Equal(3, Assert.Single(problems.Problems).Location.Line);
    }
}
