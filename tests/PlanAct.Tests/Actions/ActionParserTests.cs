using System.Text.Json;
using PlanAct.Actions;

namespace PlanAct.Tests.Actions;

public class ActionParserTests
{
    public static TheoryData<string> RoundTripCases() =>
    [
        "do(action=\"Click\", element=\"15\")",
        "# Element: the 'Search' button\ndo(action=\"Hover\", element=\"3\")",
        "do(action=\"Type\", argument=\"Homewood Suites\", element=\"13\")",
        "do(action=\"Search\", argument=\"the \\\"best\\\" one\", element=\"2\")",
        "do(action=\"Select Dropdown Option\", argument=\"Month\", element=\"20\")",
        "do(action=\"Press Enter\")",
        "do(action=\"Scroll Up\")",
        "do(action=\"Scroll Down\")",
        "do(action=\"Wait\")",
        "do(action=\"Go Backward\")",
        "go_backward()",
        "go_forward()",
        "exit(message=\"The answer is 0:34.\")",
        "exit()",
        "# Note: Pittsburgh International Airport, 15231\n# Note: second fact\n# Element: The field labeled 'Pittsburgh'\ndo(action=\"Type\", argument=\"Cleveland\", element=\"14\")",
        "do(action=\"Type\", argument=\"line one\\nline two\\ttab \\\\ backslash\", element=\"1\")",
        "do(action=\"Type\", argument=\"Café Résumé 東京 🎉\", element=\"7\")",
        "do(action=\"Zoom In\", element=\"4\")",
        "scroll(direction=\"down\", amount=3)",
        "# just a thought\ndo(action=\"Click\", element=\"1\")",
        "exit(message=\"It's 5 o'clock\")",
        "do(action=\"Type\", argument=\"\\x07 bell \\x7f\", element=\"1\")",
    ];

    [Theory]
    [MemberData(nameof(RoundTripCases))]
    public void Parse_of_print_is_identity(string text)
    {
        var action = ActionParser.Parse(text);
        var printed = ActionPrinter.Print(action);
        Assert.Equal(action, ActionParser.Parse(printed));
        Assert.Equal(printed, ActionPrinter.Print(ActionParser.Parse(printed)));
    }

    [Fact]
    public void Reads_typed_fields()
    {
        var action = ActionParser.Parse("# Element: the search bar\n# Note: price is $5\ndo(action=\"Search\", argument=\"blue mug\", element=\"5\")");
        Assert.Equal(ActionKind.Search, action.Kind);
        Assert.Equal("blue mug", action.Argument);
        Assert.Equal("5", action.Element);
        Assert.Equal("the search bar", action.ElementDescription);
        Assert.Equal(["price is $5"], action.Notes);
        Assert.Empty(action.Problems());
    }

    [Theory]
    [InlineData("do(action='Click', element='15')", "do(action=\"Click\", element=\"15\")")]
    [InlineData("do( action = \"Click\" ,  element = \"15\" )", "do(action=\"Click\", element=\"15\")")]
    [InlineData("do(action=\"Click\", element=15)", "do(action=\"Click\", element=\"15\")")]
    [InlineData("do(element=\"15\", action=\"Click\")", "do(action=\"Click\", element=\"15\")")]
    [InlineData("do(\"Type\", \"abc\", \"3\")", "do(action=\"Type\", argument=\"abc\", element=\"3\")")]
    [InlineData("do(action=\"Scroll Down\", argument=None, element=None)", "do(action=\"Scroll Down\")")]
    [InlineData("exit(\"done\")", "exit(message=\"done\")")]
    [InlineData("do(action=\"Type\", argument=\"\\u00e9t\\u00E9 \\U0001F600\", element=\"1\")", "do(action=\"Type\", argument=\"été 😀\", element=\"1\")")]
    [InlineData("do(action=\"Type\", argument=\"caf\\xe9\", element=\"1\")", "do(action=\"Type\", argument=\"café\", element=\"1\")")]
    [InlineData("  #Element:   the box  \n\n do(action=\"Click\", element=\"2\")  ", "# Element: the box\ndo(action=\"Click\", element=\"2\")")]
    [InlineData("do(action=\"Click\", element=\"2\",)", "do(action=\"Click\", element=\"2\")")]
    [InlineData("do(action=\"Type\", argument=r\"C:\\path\", element=\"2\")", "do(action=\"Type\", argument=\"C:\\\\path\", element=\"2\")")]
    public void Prints_canonically(string text, string canonical) =>
        Assert.Equal(canonical, ActionPrinter.Print(ActionParser.Parse(text)));

    [Fact]
    public void Unknown_action_names_are_kept_and_reported()
    {
        var action = ActionParser.Parse("do(action=\"Drag\", element=\"4\")");
        Assert.Equal(ActionKind.Unknown, action.Kind);
        Assert.Equal("Drag", action.Name);
        Assert.Contains(action.Problems(), p => p.Contains("unknown action name \"Drag\"", StringComparison.Ordinal));
        Assert.Equal("do(action=\"Drag\", element=\"4\")", ActionPrinter.Print(action));

        var function = ActionParser.Parse("scroll(direction=\"down\")");
        Assert.Equal("scroll", function.Function);
        Assert.Contains(function.Problems(), p => p.Contains("unknown function", StringComparison.Ordinal));
    }

    [Fact]
    public void Missing_element_is_reported_not_thrown()
    {
        var action = ActionParser.Parse("do(action=\"Click\")");
        Assert.Contains("\"Click\" needs an element", action.Problems());
    }

    [Theory]
    [InlineData("", "empty action")]
    [InlineData("   \n  ", "empty action")]
    [InlineData("# Element: x", "comments but no call")]
    [InlineData("do(action=\"Click\", element=\"15\"", "missing ')'")]
    [InlineData("do(action=\"Click, element=\"15\")", "expected ',' or ')'")]
    [InlineData("do(action=\"Click\") and more", "unexpected text after the call")]
    [InlineData("I will click the button", "expected '('")]
    [InlineData("do(action=\"Type\", argument=\"abc", "unterminated string literal")]
    [InlineData("do(action=\"Type\", argument=\"\\u12\", element=\"1\")", "hex digits")]
    [InlineData("do(action=\"Click\", action=\"Hover\")", "given twice")]
    public void Bad_syntax_says_why(string text, string expected)
    {
        var e = Assert.Throws<ActionSyntaxException>(() => ActionParser.Parse(text));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_position_points_at_the_problem()
    {
        var e = Assert.Throws<ActionSyntaxException>(() => ActionParser.Parse("# Element: a\ndo(action=\"Click\" element=\"1\")"));
        Assert.Equal(2, e.Line);
        Assert.Equal(19, e.Column);
    }

    [Fact]
    public void Parses_every_example_in_the_real_webrl_prompt()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.RealFixture("vab_p_webrl_chat.json")));
        var intro = doc.RootElement.GetProperty("intro").GetString()!;
        var examples = intro[intro.IndexOf("Here are some examples:", StringComparison.Ordinal)..intro.IndexOf("REMEMBER:", StringComparison.Ordinal)]
            .Split("\n- ")[1..]
            .Select(e => e.Trim())
            .ToList();
        Assert.Equal(7, examples.Count);
        foreach (var example in examples)
        {
            var action = ActionParser.Parse(example);
            Assert.NotEqual(ActionKind.Unknown, action.Kind);
            Assert.Equal(action, ActionParser.Parse(ActionPrinter.Print(action)));
        }
    }

    [Fact]
    public void Same_call_ignores_comments_case_and_spacing()
    {
        var truth = ActionParser.Parse("# Element: the box\ndo(action=\"Type\", argument=\"abc\", element=\"3\")");
        Assert.True(truth.SameCallAs(ActionParser.Parse("do(action='type', argument='abc ', element=3)")));
        Assert.False(truth.SameCallAs(ActionParser.Parse("do(action=\"Type\", argument=\"abd\", element=\"3\")")));
        Assert.False(truth.SameCallAs(ActionParser.Parse("do(action=\"Type\", argument=\"abc\", element=\"4\")")));
    }
}
