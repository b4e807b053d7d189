using PlanAct.Export;
using PlanAct.IO;
using PlanAct.Training;

namespace PlanAct.Tests.Export;

public class FormatterTests
{
    /// <summary>A system message, quotes, newlines, a backslash, non-ASCII text and a character outside the BMP.</summary>
    private static readonly ExampleMessage[] WithSystem =
    [
        ExampleMessage.System("Be \"brief\".\nOK"),
        ExampleMessage.User("Café — ☕ <b>x</b> 😀"),
        ExampleMessage.Assistant("exit(message=\"a\\b\")"),
    ];

    /// <summary>No system message, two rounds, a tab.</summary>
    private static readonly ExampleMessage[] TwoRounds =
    [
        ExampleMessage.User("q1"),
        ExampleMessage.Assistant("a1"),
        ExampleMessage.User("q2\tend"),
        ExampleMessage.Assistant("a2"),
    ];

    [Fact]
    public void OpenAi_chat_golden()
    {
        var formatter = new OpenAiChatFormatter();
        Assert.Equal(
            """{"messages":[{"role":"system","content":"Be \"brief\".\nOK"},{"role":"user","content":"Café — ☕ <b>x</b> \uD83D\uDE00"},{"role":"assistant","content":"exit(message=\"a\\b\")"}]}""",
            formatter.FormatLine(WithSystem));
        Assert.Equal(
            """{"messages":[{"role":"user","content":"q1"},{"role":"assistant","content":"a1","weight":0},{"role":"user","content":"q2\tend"},{"role":"assistant","content":"a2"}]}""",
            formatter.FormatLine(TwoRounds));
        Assert.Equal(
            """{"messages":[{"role":"user","content":"q1"},{"role":"assistant","content":"a1"},{"role":"user","content":"q2\tend"},{"role":"assistant","content":"a2"}]}""",
            new OpenAiChatFormatter(trainEarlierTurns: true).FormatLine(TwoRounds));
    }

    [Fact]
    public void ShareGpt_golden()
    {
        var formatter = new ShareGptFormatter();
        Assert.Equal(
            """{"conversations":[{"from":"system","value":"Be \"brief\".\nOK"},{"from":"human","value":"Café — ☕ <b>x</b> \uD83D\uDE00"},{"from":"gpt","value":"exit(message=\"a\\b\")"}]}""",
            formatter.FormatLine(WithSystem));
        Assert.Equal(
            """{"conversations":[{"from":"human","value":"q1"},{"from":"gpt","value":"a1"},{"from":"human","value":"q2\tend"},{"from":"gpt","value":"a2"}]}""",
            formatter.FormatLine(TwoRounds));
    }

    [Fact]
    public void Alpaca_golden()
    {
        var formatter = new AlpacaFormatter();
        Assert.Equal(
            """{"instruction":"Be \"brief\".\nOK","input":"Café — ☕ <b>x</b> \uD83D\uDE00","output":"exit(message=\"a\\b\")"}""",
            formatter.FormatLine(WithSystem));
        Assert.Equal(
            """{"instruction":"q2\tend","input":"User:\nq1\n\nAssistant:\na1","output":"a2"}""",
            formatter.FormatLine(TwoRounds));
        Assert.Equal(
            """{"instruction":"s","input":"User:\nq1\n\nAssistant:\na1\n\nUser:\nq2\tend","output":"a2"}""",
            formatter.FormatLine([ExampleMessage.System("s"), .. TwoRounds]));
        Assert.Equal("""{"instruction":"q","input":"","output":"a"}""", formatter.FormatLine([ExampleMessage.User("q"), ExampleMessage.Assistant("a")]));
    }

    [Fact]
    public void Torchtune_golden()
    {
        var formatter = new TorchtuneFormatter();
        Assert.Equal(
            """{"input":"Be \"brief\".\nOK\n\nCafé — ☕ <b>x</b> \uD83D\uDE00","output":"exit(message=\"a\\b\")"}""",
            formatter.FormatLine(WithSystem));
        Assert.Equal(
            """{"input":"User:\nq1\n\nAssistant:\na1\n\nUser:\nq2\tend","output":"a2"}""",
            formatter.FormatLine(TwoRounds));
    }

    [Fact]
    public void Formats_are_found_by_their_command_line_names()
    {
        Assert.Equal(["openai-chat", "sharegpt", "alpaca", "torchtune", "trl", "hf"], ExampleFormatters.All.Select(f => f.Name));
        Assert.IsType<ShareGptFormatter>(ExampleFormatters.ByName("ShareGPT"));
        Assert.Null(ExampleFormatters.ByName("csv"));
    }

    private static TrainingExample Example(string? reasoning) =>
        new("e", ExampleKind.Executor, "map", "t", WithSystem.ToEquatableList(), new ExampleSource("t", 0)) { Reasoning = reasoning };

    [Fact]
    public void Reasoning_becomes_a_think_prefix_only_when_asked_and_present()
    {
        var messages = DatasetExporter.Messages(Example(" Because \"a\\b\".\n"), withReasoning: true);
        Assert.Equal(WithSystem[..2], messages.Take(2));
        Assert.Equal(ExampleMessage.Assistant("<think>\nBecause \"a\\b\".\n</think>\n\nexit(message=\"a\\b\")"), messages[^1]);
        Assert.Equal(
            """{"messages":[{"role":"system","content":"Be \"brief\".\nOK"},{"role":"user","content":"Café — ☕ <b>x</b> \uD83D\uDE00"},{"role":"assistant","content":"<think>\nBecause \"a\\b\".\n</think>\n\nexit(message=\"a\\b\")"}]}""",
            new OpenAiChatFormatter().FormatLine(messages));

        Assert.Equal(WithSystem, DatasetExporter.Messages(Example(" Because"), withReasoning: false));
        Assert.Equal(WithSystem, DatasetExporter.Messages(Example(""), withReasoning: true));
        Assert.Equal(WithSystem, DatasetExporter.Messages(Example(" \n "), withReasoning: true));
        Assert.Equal(WithSystem, DatasetExporter.Messages(Example(null), withReasoning: true));
    }
}
