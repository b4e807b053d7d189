using PlanAct.Actions;
using PlanAct.Training.Profiles;

namespace PlanAct.Tests.Training;

/// <summary>A live agent state in another grammar builds the prompt its training examples were laid out with.</summary>
public class GrammarPromptTests
{
    [Fact]
    public void An_executor_state_in_webvoyager_grammar_lists_its_actions_and_keeps_earlier_actions_as_written()
    {
        const string json = """
            {"task": "Find a green controller", "plan": "## Step 1\nReasoning: r\nStep: search", "grammar": "webvoyager",
             "rounds": [{"page": "[2]: <input> \"Search\";", "action": "Type [2]; green controller"}],
             "page": "[7]: <a> \"Xbox controller, green\";\t[8]: \"4.7 stars\";"}
            """;
        var state = (ExecutorState)AgentStateJson.Read(AgentRole.Executor, json, "state");
        Assert.Equal(ActionGrammar.WebVoyager, state.Grammar);
        var messages = PromptProfile.PlanAct.Prompt(state).Messages;
        Assert.Contains("ANSWER; text", messages[0].Content, StringComparison.Ordinal);
        Assert.Contains("numbered list of the elements", messages[0].Content, StringComparison.Ordinal);
        Assert.DoesNotContain("do(action=", messages[0].Content, StringComparison.Ordinal);
        Assert.Equal("Type [2]; green controller", messages[2].Content);
        Assert.Equal("[7]: <a> \"Xbox controller, green\";\n[8]: \"4.7 stars\";", messages[^1].Content);
        Assert.Equal("webvoyager", AgentStateJson.Write(state)["grammar"]!.GetValue<string>());

        var bad = Assert.Throws<PlanAct.IO.InputException>(() => AgentStateJson.Read(AgentRole.Executor, json.Replace("webvoyager", "selenium", StringComparison.Ordinal), "state"));
        Assert.Contains("expected one of webrl, browsergym, webvoyager", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Webrl_executor_prompts_are_unchanged_by_grammars()
    {
        var state = new ExecutorState("t", "p", [], "<p id=\"1\">x</p>");
        var system = PromptProfile.PlanAct.Prompt(state).Messages[0].Content;
        Assert.Contains("as simplified HTML in which the elements you can use carry an id;\n", system, StringComparison.Ordinal);
        Assert.Contains("- go_backward(), go_forward()\n", system, StringComparison.Ordinal);
    }
}
