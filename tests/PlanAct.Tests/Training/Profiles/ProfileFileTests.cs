using PlanAct.IO;
using PlanAct.Training;
using PlanAct.Training.Profiles;

namespace PlanAct.Tests.Training.Profiles;

/// <summary>A user's own profile file: any wording, checked at load with file:line errors.</summary>
public class ProfileFileTests
{
    private const string Roles = """
        planner:
          turn: planner.md
          page: { renderer: compact, ids: false }
          target: { reasoning: think-block, open: "<plan>", close: "</plan>" }
        executor:
          system: system.md
          first_turn: turn.md
          later_turn: turn.md
          page: { renderer: reference, ids: true, max_tokens: 2000 }
          earlier_pages: { show: snippet }
          earlier_answers: { reasoning: none, open: "<action>", close: "</action>" }
          target: { reasoning: think-block, open: "<action>", close: "</action>", padding: "" }
        dynamic_executor:
          first_turn: turn.md
          later_turn: turn.md
          page: { renderer: compact, ids: true }
          earlier_pages: { show: none }
          target: { reasoning: separate }
        replanner:
          turn: replan.md
          page: { renderer: compact, ids: false }
          actions: { item: "{{number}}. {{action}}", separator: "\n", none: "(none yet)" }
          target: { reasoning: separate }
        """;

    private static string Write(string yaml, params (string Name, string Text)[] templates)
    {
        var dir = TestPaths.TempDir();
        File.WriteAllText(Path.Combine(dir, "profile.yaml"), yaml);
        foreach (var (name, text) in new[] { ("planner.md", "Task: {{task}}\nPage:\n{{page}}"), ("system.md", "You act. Task: {{task}}\nPlan:\n{{plan}}"), ("turn.md", "Round {{round}}:\n{{page}}"), ("replan.md", "{{task}}\nDone so far:\n{{actions}}\nNow:\n{{page}}") }.Concat(templates))
        {
            File.WriteAllText(Path.Combine(dir, name), text);
        }

        return Path.Combine(dir, "profile.yaml");
    }

    [Fact]
    public void A_profile_file_lays_out_every_role_in_its_own_words()
    {
        var profile = PromptProfile.Load(Write("name: mine\n" + Roles));
        Assert.Equal(("mine", false), (profile.Name, profile.IsBuiltIn));

        var planner = profile.Prompt(new PlannerState("Find shoes", "<html><body><a id=\"1\">Shoes</a></body></html>")).Messages;
        Assert.Equal("Task: Find shoes\nPage:\n<a> Shoes </a>", Assert.Single(planner).Content);
        Assert.Equal("<think>\nwhy\n</think>\n\n<plan>\nP\n</plan>", profile.Target(AgentRole.Planner, "P", "why"));

        var executor = profile.Prompt(new ExecutorState("Find shoes", "P", [new ExecutorRound("<a id=\"1\">Shoes</a>", "do(action=\"Click\", element=\"1\")")], "<p>Done</p>")).Messages;
        Assert.Equal([MessageRole.System, MessageRole.User, MessageRole.Assistant, MessageRole.User], executor.Select(m => m.Role));
        Assert.Equal("You act. Task: Find shoes\nPlan:\nP", executor[0].Content);
        Assert.Equal("<action>\ndo(action=\"Click\", element=\"1\")\n</action>", executor[2].Content);
        Assert.StartsWith("Round 2:\n", executor[3].Content, StringComparison.Ordinal);
        Assert.Equal("<think>\nwhy\n</think>\n\n<action>do(action=\"Scroll Down\")</action>", profile.Target(AgentRole.Executor, "do(action=\"Scroll Down\")", "why"));
        Assert.Equal(("x", "do(action=\"Scroll Down\")"), (profile.Parse(AgentRole.Executor, "<think>\nx\n</think>\n\n<action>do(action=\"Scroll Down\")</action>") is var p ? (p.Reasoning, p.Answer) : default));

        var replanner = profile.Prompt(new ReplannerState("Find shoes", "P", [], "<p>x</p>")).Messages;
        Assert.Equal("Find shoes\nDone so far:\n(none yet)\nNow:\nx", Assert.Single(replanner).Content);
    }

    [Theory]
    [InlineData("name: mine\nplanner: {}\n", "profile.yaml:2", "missing \"turn\"")]
    [InlineData("name: mine\n", "profile.yaml:1", "missing the role \"planner\"")]
    [InlineData("name: mine\ncolour: blue\n", "profile.yaml:2", "unknown key \"colour\"")]
    [InlineData("planner: {}\n", "profile.yaml:1", "missing \"name\"")]
    [InlineData("name: [\n", "profile.yaml:", "not a valid profile")]
    public void Mistakes_in_the_yaml_are_named_at_their_line(string yaml, string where, string what)
    {
        var e = Assert.Throws<InputException>(() => PromptProfile.Load(Write(yaml)));
        Assert.Contains(where, e.Message, StringComparison.Ordinal);
        Assert.Contains(what, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_out_of_range_are_named_at_their_line()
    {
        var badRenderer = Roles.Replace("renderer: reference, ids: true, max_tokens: 2000", "renderer: fancy, ids: true", StringComparison.Ordinal);
        Assert.Contains("\"renderer\" must be one of compact, reference; got \"fancy\"", Assert.Throws<InputException>(() => PromptProfile.Load(Write("name: x\n" + badRenderer))).Message, StringComparison.Ordinal);

        var badBudget = Roles.Replace("max_tokens: 2000", "max_tokens: -3", StringComparison.Ordinal);
        var e = Assert.Throws<InputException>(() => PromptProfile.Load(Write("name: x\n" + badBudget)));
        Assert.Contains("profile.yaml:10", e.Message, StringComparison.Ordinal);
        Assert.Contains("positive number or none", e.Message, StringComparison.Ordinal);

        var snippetOnCompact = Roles.Replace("earlier_pages: { show: none }", "earlier_pages: { show: snippet }", StringComparison.Ordinal);
        Assert.Contains("needs \"page: {renderer: reference}\"", Assert.Throws<InputException>(() => PromptProfile.Load(Write("name: x\n" + snippetOnCompact))).Message, StringComparison.Ordinal);

        var halfTags = Roles.Replace("open: \"<plan>\", close: \"</plan>\"", "open: \"<plan>\"", StringComparison.Ordinal);
        Assert.Contains("give both", Assert.Throws<InputException>(() => PromptProfile.Load(Write("name: x\n" + halfTags))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_placeholder_is_named_at_its_line_of_the_template()
    {
        var path = Write("name: mine\n" + Roles, ("turn.md", "Round {{round}}\n\nPage:\n{{pgae}}"));
        var e = Assert.Throws<InputException>(() => PromptProfile.Load(path));
        Assert.Contains("turn.md:4", e.Message, StringComparison.Ordinal);
        Assert.Contains("unknown placeholder {{pgae}}", e.Message, StringComparison.Ordinal);
        Assert.Contains("{{page}}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_template_or_profile_file_is_bad_input()
    {
        var dir = Path.GetDirectoryName(Write("name: mine\n" + Roles))!;
        File.Delete(Path.Combine(dir, "replan.md"));
        Assert.Contains("cannot read the template \"replan.md\"", Assert.Throws<InputException>(() => PromptProfile.Load(Path.Combine(dir, "profile.yaml"))).Message, StringComparison.Ordinal);
        Assert.Contains("not a built-in profile", Assert.Throws<InputException>(() => PromptProfile.Load(Path.Combine(dir, "nope.yaml"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Built_in_profiles_load()
    {
        Assert.All(PromptProfile.BuiltInNames, name => Assert.True(PromptProfile.Load(name).IsBuiltIn));
        Assert.Equal(new ExamplePageOptions().Profile, PromptProfile.PlanAct);
    }
}
