using PlanAct.Actions;

namespace PlanAct.Tests.Actions;

public class ActionGrammarTests
{
    public static IEnumerable<string> BrowserGymCases() =>
    [
        "click('171')",
        "click('12', button='right', modifiers=['Shift', 'Control'])",
        "dblclick('9')",
        "hover('3')",
        "fill('158', 'Central Park, New York')",
        "fill('2', 'it\\'s \"quoted\"\\nnext line')",
        "type('78', 'NLP model repository', press_enter_after=0)",
        "select_option('166', 'Car (OSRM)')",
        "select_option('166', ['red', 'green'])",
        "press('14', 'Control+a')",
        "focus('4')",
        "clear('4')",
        "scroll(0, 500)",
        "scroll(-20.5, 0)",
        "goto('https://example.org/a?b=1')",
        "go_back()",
        "go_forward()",
        "tab_focus(2)",
        "new_tab()",
        "close_tab()",
        "send_msg_to_user('There are currently no diary entries to browse.')",
        "report_infeasible('The site has no such page.')",
        "stop()",
        "stop(answer='42')",
        "noop()",
        "noop(wait_ms=500)",
        "upload_file('5', '/tmp/a.txt')",
        "# Element: the Go button\nclick('171')",
        "mouse_click(10, 20)",
    ];

    [Theory]
    [InlineData(1, "click(\"171\")", "click('171')")]
    [InlineData(1, "click(171)", "click('171')")]
    [InlineData(1, "click(bid='171')", "click('171')")]
    [InlineData(1, "fill(value='x', bid='2')", "fill('2', 'x')")]
    [InlineData(1, "click('1', 'middle')", "click('1', button='middle')")]
    [InlineData(1, "scroll('0', '200')", "scroll(0, 200)")]
    [InlineData(1, "noop(1000)", "noop(wait_ms=1000)")]
    [InlineData(1, "send_msg_to_user(\"It's done\")", "send_msg_to_user('It\\'s done')")]
    [InlineData(2, "click [5]", "Click [5]")]
    [InlineData(2, "  Scroll [WINDOW];Down \n", "Scroll [WINDOW]; down")]
    [InlineData(2, "Answer; yes", "ANSWER; yes")]
    [InlineData(2, "Type[2];  text  ", "Type [2]; text")]
    public void Prints_canonically(int grammar, string text, string canonical) =>
        Assert.Equal(canonical, ActionPrinter.Print(ActionParser.Parse(text, ActionGrammars.All[grammar])));

    [Fact]
    public void BrowserGym_fields_and_kinds()
    {
        var fill = ActionParser.Parse("fill('158', 'Central Park')", ActionGrammar.BrowserGym);
        Assert.Equal((ActionKind.Fill, "158", "Central Park"), (fill.Kind, fill.Element, fill.Argument));
        var message = ActionParser.Parse("send_msg_to_user('done')", ActionGrammar.BrowserGym);
        Assert.Equal((ActionKind.SendMessage, "done", true), (message.Kind, message.Message, message.Ends));
        Assert.Empty(fill.Problems());
        Assert.False(ActionParser.Parse("click('1')", ActionGrammar.BrowserGym).Ends);
    }

    [Fact]
    public void BrowserGym_unknown_calls_and_missing_arguments_are_kept_and_reported()
    {
        var unknown = ActionParser.Parse("drag_and_drop('1', '2')", ActionGrammar.BrowserGym);
        Assert.Equal(ActionKind.Unknown, unknown.Kind);
        Assert.Contains("unknown function \"drag_and_drop\"", unknown.Problems());
        Assert.Equal("drag_and_drop('1', '2')", ActionPrinter.Print(unknown));
        Assert.Contains("fill() needs \"value\"", ActionParser.Parse("fill('1')", ActionGrammar.BrowserGym).Problems());
        Assert.Contains("click() has no argument \"force\"", ActionParser.Parse("click('1', force=True)", ActionGrammar.BrowserGym).Problems());
    }

    [Fact]
    public void BrowserGym_comparison_ignores_spelling_but_not_values()
    {
        var a = ActionParser.Parse("fill(bid=\"2\", value=\"x \")", ActionGrammar.BrowserGym);
        Assert.True(a.SameCallAs(ActionParser.Parse("fill('2', 'x')", ActionGrammar.BrowserGym)));
        Assert.False(a.SameCallAs(ActionParser.Parse("fill('3', 'x')", ActionGrammar.BrowserGym)));
        Assert.False(a.SameCallAs(ActionParser.Parse("do(action=\"Type\", argument=\"x\", element=\"2\")")));
    }

    public static IEnumerable<string> WebVoyagerCases() =>
    [
        "Click [5]",
        "Type [2]; green Xbox Wireless controller 4 stars",
        "Scroll [WINDOW]; down",
        "Scroll [12]; up",
        "Wait",
        "GoBack",
        "Google",
        "ANSWER; The cheapest hotel room is at OYO 3755 Sweet Home for US$14; taxes included.",
        "ANSWER; line one\nline two",
        "Drag [3]; somewhere",
    ];

    public static TheoryData<int, string> RoundTripCases()
    {
        var cases = new TheoryData<int, string>();
        foreach (var text in BrowserGymCases())
        {
            cases.Add(1, text);
        }

        foreach (var text in WebVoyagerCases())
        {
            cases.Add(2, text);
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(RoundTripCases))]
    public void Parse_of_print_is_identity_and_canonical_text_is_stable(int index, string text)
    {
        var grammar = ActionGrammars.All[index];
        var action = ActionParser.Parse(text, grammar);
        var printed = ActionPrinter.Print(action);
        Assert.Equal(grammar, action.Grammar);
        Assert.Equal(action, ActionParser.Parse(printed, grammar));
        Assert.Equal(text, printed);
        if (grammar == ActionGrammar.WebVoyager)
        {
            Assert.Equal(printed, ActionPrinter.PrintCall(action));
        }
    }

    [Theory]
    [InlineData("webrl", 0)]
    [InlineData("BrowserGym", 1)]
    [InlineData("webvoyager", 2)]
    public void Grammar_names_round_trip(string name, int index)
    {
        var grammar = ActionGrammars.All[index];
        Assert.True(ActionGrammars.TryParseName(name, out var parsed));
        Assert.Equal(grammar, parsed);
        Assert.Equal(name.ToLowerInvariant(), grammar.Name());
    }
}
