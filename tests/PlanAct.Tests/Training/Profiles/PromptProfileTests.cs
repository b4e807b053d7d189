using PlanAct.Html;
using PlanAct.IO;
using PlanAct.Training;
using PlanAct.Training.Profiles;

namespace PlanAct.Tests.Training.Profiles;

public class PromptProfileTests
{
    private static readonly PromptProfile PlanAndAct = PromptProfile.PlanAndAct;

    private const string Plan = "## Step 1\nReasoning: The search box is on the page.\nStep: Search for the product.\n\n## Step 2\nReasoning: Then read the results.\nStep: Report the price.";

    private static string Page(int i) => TestPaths.StartPages["shopping"].Replace("Search entire store here...", $"Search entire store here ({i})...", StringComparison.Ordinal);

    private static void InOrder(string text, params string[] parts)
    {
        var at = 0;
        foreach (var part in parts)
        {
            var found = text.IndexOf(part, at, StringComparison.Ordinal);
            Assert.True(found >= 0, $"'{part}' is missing after position {at}");
            at = found + part.Length;
        }
    }

    [Fact]
    public void Plan_and_act_planner_is_one_user_turn_with_the_reference_sections_and_the_prettified_page_without_ids()
    {
        var page = TestPaths.StartPages["gitlab"];
        var messages = PlanAndAct.Prompt(new PlannerState("Star the top repo", page)).Messages;

        var turn = Assert.Single(messages);
        Assert.Equal(MessageRole.User, turn.Role);
        InOrder(turn.Content, "## Goal\n", "## Task\n", "Star the top repo", "## Initial HTML State\n", ReferencePageView.Planner(page), "## Guidelines\n", "[Start of Plan]", "[End of Plan]");
        Assert.DoesNotContain(" id=\"", ReferencePageView.Planner(page), StringComparison.Ordinal);
        Assert.Equal("I think.\n</think>\n\n[Start of Plan]\n\n" + Plan + "\n\n[End of Plan]", PlanAndAct.Target(AgentRole.Planner, Plan, " I think. "));
    }

    [Fact]
    public void Plan_and_act_executor_is_a_chat_of_rounds_with_snippets_of_earlier_pages_and_reasoned_earlier_answers()
    {
        var rounds = EquatableList.Of(
            new ExecutorRound(Page(0), "# Element: the search box\ndo(action=\"Search\", argument=\"shoes\", element=\"5\")", "The box searches the store."),
            new ExecutorRound(Page(1), "do(action=\"Scroll Down\")", "More results are below."));
        var state = new ExecutorState("Find shoes", Plan, rounds, Page(2)) { TargetElement = "4" };
        var messages = PlanAndAct.Prompt(state).Messages;

        Assert.Equal([MessageRole.User, MessageRole.Assistant, MessageRole.User, MessageRole.Assistant, MessageRole.User], messages.Select(m => m.Role));
        InOrder(messages[0].Content, "# Goal\n", "do(action=\"Click\", element=\"<element_id>\")", "exit(message=\"<answer>\")", "# Task\n", "Find shoes", "# Plan\n", Plan, "---", "## Round 1\n", "Current HTML state:\n\n" + ReferencePageView.EarlierRound(Page(0), "5"), "[Start of Action]");
        InOrder(messages[2].Content, "## Round 2\n", "Current HTML state:\n\n" + ReferencePageView.EarlierRound(Page(1), null));
        InOrder(messages[4].Content, "## Round 3\n", "Current HTML state:\n\n" + ReferencePageView.Executor(Page(2), "4"), "[End of Action]");
        Assert.DoesNotContain("# Plan", messages[2].Content, StringComparison.Ordinal);
        Assert.Equal("<think>\nThe box searches the store.\n</think>\n\n[Start of Action]\n# Element: the search box\ndo(action=\"Search\", argument=\"shoes\", element=\"5\")\n[End of Action]", messages[1].Content);
        Assert.Equal("<think>\nMore results are below.\n</think>\n\n[Start of Action]\ndo(action=\"Scroll Down\")\n[End of Action]", messages[3].Content);
        Assert.Equal("Go.\n</think>\n\n[Start of Action]\ndo(action=\"Click\", element=\"4\")\n[End of Action]", PlanAndAct.Target(AgentRole.Executor, "do(action=\"Click\", element=\"4\")", "Go."));
    }

    [Fact]
    public void Plan_and_act_dynamic_executor_names_the_plan_in_force_in_the_current_turn_only()
    {
        var first = PlanAndAct.Prompt(new ExecutorState("Find shoes", Plan, [], Page(0), Dynamic: true)).Messages;
        InOrder(Assert.Single(first).Content, "# Task\n", "# Current Plan\n", Plan, "## Round 1\n");

        var later = PlanAndAct.Prompt(new ExecutorState("Find shoes", "## Step 1\nReasoning: Now.\nStep: Report.", [new ExecutorRound(Page(0), "do(action=\"Scroll Down\")", "Look further.", Plan)], Page(1), Dynamic: true)).Messages;
        Assert.DoesNotContain("Plan\n", later[0].Content, StringComparison.Ordinal);
        Assert.DoesNotContain(Plan, later[0].Content, StringComparison.Ordinal);
        InOrder(later[2].Content, "## Round 2\n", "# Updated Plan\n", "## Step 1\nReasoning: Now.\nStep: Report.", "Current HTML state:");
    }

    [Fact]
    public void Plan_and_act_replanner_is_one_turn_with_the_previous_plan_and_the_numbered_actions()
    {
        var state = new ReplannerState("Find shoes", Plan, EquatableList.Of("do(action=\"Search\", argument=\"shoes\", element=\"5\")", "# Note: 3 pairs under $50\ndo(action=\"Scroll Down\")"), Page(2));
        var turn = Assert.Single(PlanAndAct.Prompt(state).Messages);
        InOrder(
            turn.Content,
            "## Your Role: The ExecutionReplanner",
            "## What is Replanning?",
            "## Your Task: Generate an Updated Plan",
            "## Task Query\n",
            "Find shoes",
            "## Previous Plan\n```\n" + Plan + "\n```",
            "## Previous Actions Taken\n* Action 1: do(action=\"Search\", argument=\"shoes\", element=\"5\")\n\n* Action 2: # Note: 3 pairs under $50\ndo(action=\"Scroll Down\")",
            "## Current HTML State (what the user sees RIGHT NOW)\n" + ReferencePageView.Planner(Page(2)),
            "[Start of Plan]");
    }

    [Fact]
    public void Planact_replanner_needs_the_earlier_plans_because_it_shows_earlier_rounds()
    {
        var state = new ReplannerState("Find shoes", Plan, EquatableList.Of("do(action=\"Scroll Down\")"), Page(1));
        var e = Assert.Throws<InputException>(() => PromptProfile.PlanAct.Prompt(state));
        Assert.Contains("\"plans\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Page_budget_cuts_the_current_page_and_says_so()
    {
        var prompt = PlanAndAct.Prompt(new PlannerState("t", TestPaths.StartPages["shopping_admin"]), new PromptSettings { MaxPageTokens = 50 });
        Assert.True(prompt.PageCut);
        Assert.False(PlanAndAct.Prompt(new PlannerState("t", TestPaths.StartPages["shopping_admin"])).PageCut);
    }

    [Theory]
    [InlineData("Reasoning here.\n</think>\n\n[Start of Action]\ndo(action=\"Click\", element=\"4\")\n[End of Action]", "Reasoning here.", "do(action=\"Click\", element=\"4\")")]
    [InlineData("<think>\nR\n</think>\r\n\r\n[Start of Action]\r\n# Element: the box\r\ndo(action=\"Type\",  element=\"5\", argument=\"x\")\r\n[End of Action]\r\n", "R", "# Element: the box\ndo(action=\"Type\", argument=\"x\", element=\"5\")")]
    [InlineData("[Start of Action] exit(message=\"42\") [End of Action] trailing words", null, "exit(message=\"42\")")]
    public void Parse_reads_reasoning_and_the_action_between_the_tags(string completion, string? reasoning, string action)
    {
        var parsed = PlanAndAct.Parse(AgentRole.Executor, completion);
        Assert.Equal(reasoning, parsed.Reasoning);
        Assert.Equal(action, parsed.Answer);
    }

    [Theory]
    [InlineData("I think.\n</think>\ndo(action=\"Click\", element=\"4\")", "no [Start of Action] tag")]
    [InlineData("I think.\n</think>\n[Start of Action]\ndo(action=\"Click\", element=\"4\")", "no [End of Action] tag")]
    [InlineData("[Start of Action]\nclick the button\n[End of Action]", "the action cannot be read")]
    public void Parse_says_what_is_wrong_with_an_action(string completion, string message)
    {
        var e = Assert.Throws<AnswerFormatException>(() => PlanAndAct.Parse(AgentRole.Executor, completion));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_reads_a_plan_and_refuses_text_that_is_not_one()
    {
        var parsed = PlanAndAct.Parse(AgentRole.Planner, "Thinking.\n</think>\n\n[Start of Plan]\n\n" + Plan + "\n\n[End of Plan]");
        Assert.Equal(("Thinking.", Plan), (parsed.Reasoning, parsed.Answer));
        Assert.Contains("## Step N", Assert.Throws<AnswerFormatException>(() => PlanAndAct.Parse(AgentRole.Planner, "[Start of Plan]\nJust search.\n[End of Plan]")).Message, StringComparison.Ordinal);
        Assert.Equal(Plan, PromptProfile.PlanAct.Parse(AgentRole.Replanner, Plan).Answer);
    }

    [Fact]
    public void Reasoning_layouts_need_reasoning()
    {
        Assert.True(PlanAndAct.TargetNeedsReasoning(AgentRole.Executor));
        Assert.False(PromptProfile.PlanAct.TargetNeedsReasoning(AgentRole.Executor));
        Assert.Throws<ArgumentException>(() => PlanAndAct.Target(AgentRole.Planner, Plan, " "));
        Assert.Equal(Plan, PromptProfile.PlanAct.Target(AgentRole.Planner, Plan, "ignored: kept apart"));
    }
}
