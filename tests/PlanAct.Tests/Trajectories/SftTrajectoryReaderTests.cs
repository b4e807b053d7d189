using PlanAct.IO;
using PlanAct.Trajectories;

namespace PlanAct.Tests.Trajectories;

public class SftTrajectoryReaderTests
{
    private static readonly string[] ShopActions =
    [
        "# Element: the search bar\ndo(action=\"Search\", argument=\"blue mug\", element=\"5\")",
        "# Element: the first result\ndo(action=\"Click\", element=\"0\")",
        "# Note: the mug costs $5\nexit(message=\"$5\")",
    ];

    private static string[] ShopPages() =>
        [TestPaths.StartPages["shopping"], "<html> <a id=\"0\" data-text=\"Mug\"> Mug </a> </html>", "<html> <span> $5 </span> </html>"];

    private static Task<List<Trajectory>> ReadAll(string path, ProblemLog? problems = null) =>
        TrajectoryFiles.ReadAsync(path, new TrajectoryReadOptions { Problems = problems ?? new ProblemLog() }).ToListAsync().AsTask();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Reads_one_trajectory_with_or_without_header_tokens(bool headerTokens)
    {
        var dir = TestPaths.TempDir();
        var path = new SftBuilder().Add(SftBuilder.Steps("Find the mug price", ShopPages(), ShopActions, headerTokens)).WriteTo(dir);
        var trajectory = Assert.Single(await ReadAll(path));
        Assert.Equal("shopping", trajectory.Site);
        Assert.Equal("Find the mug price", trajectory.Task);
        Assert.Equal(3, trajectory.Steps.Count);
        Assert.Equal(TestPaths.StartPages["shopping"], trajectory.Steps[0].Html);
        Assert.Equal("$5", trajectory.Steps[2].Action.Message);
        Assert.Equal(new SourceLocation(path, Element: 0), trajectory.Source);
    }

    [Fact]
    public async Task Steps_anywhere_in_the_file_and_repeated_queries_are_grouped()
    {
        var first = SftBuilder.Steps("Find the mug price", ShopPages(), ShopActions);
        var detour = ShopActions.Take(1).Concat(["go_backward()"]).Concat(ShopActions.Skip(1)).ToArray();
        var secondPages = ShopPages().Take(2).Concat(ShopPages()).Take(4).ToArray();
        var second = SftBuilder.Steps("Find the mug price", secondPages, detour);
        var map = SftBuilder.Steps("Where is CMU?", [TestPaths.StartPages["map"], "<p> CMU </p>"], ["do(action=\"Search\", argument=\"CMU\", element=\"1\")", "exit(message=\"Pittsburgh\")"]);

        // Interleave: last steps first, two trajectories of the same query mixed together.
        var elements = new[] { second[3], first[2], map[1], second[1], first[0], second[0], map[0], first[1], second[2] };
        var path = new SftBuilder().Add(elements).WriteTo(TestPaths.TempDir());
        var trajectories = await ReadAll(path);
        Assert.Equal(3, trajectories.Count);
        Assert.Equal(2, trajectories.Count(t => t.Task == "Find the mug price"));
        Assert.Contains(trajectories, t => t.Steps.Count == 4 && t.Steps[1].Action.Function == "go_backward");
        Assert.Contains(trajectories, t => t.Steps.Count == 3 && t.Steps.Select(s => s.Index).SequenceEqual([0, 1, 2]));
        Assert.Equal("map", trajectories.Single(t => t.Task == "Where is CMU?").Site);
        Assert.Equal(3, trajectories.Select(t => t.Id).Distinct().Count());
    }

    [Fact]
    public async Task Two_identical_runs_are_two_trajectories()
    {
        var run = SftBuilder.Steps("Find the mug price", ShopPages(), ShopActions);
        var path = new SftBuilder().Add(run).Add(run).WriteTo(TestPaths.TempDir());
        var trajectories = await ReadAll(path);
        Assert.Equal(2, trajectories.Count);
        Assert.All(trajectories, t => Assert.Equal(3, t.Steps.Count));
        Assert.NotEqual(trajectories[0].Id, trajectories[1].Id);
    }

    [Fact]
    public async Task Whitespace_differences_in_history_do_not_break_grouping()
    {
        var steps = SftBuilder.Steps("Find the mug price", ShopPages(), ShopActions);
        steps[2] = (steps[2].Human.Replace("do(action=\"Click\", element=\"0\")", "do(action=\"Click\",   element=\"0\")  ", StringComparison.Ordinal).Replace("\n\n", "\n \n", StringComparison.Ordinal), steps[2].Gpt);
        var path = new SftBuilder().Add(steps).WriteTo(TestPaths.TempDir());
        Assert.Equal(3, Assert.Single(await ReadAll(path)).Steps.Count);
    }

    [Fact]
    public async Task A_gap_in_rounds_names_the_element()
    {
        var steps = SftBuilder.Steps("Find the mug price", ShopPages(), ShopActions);
        var path = new SftBuilder().Add([steps[0], steps[2]]).WriteTo(TestPaths.TempDir());
        var e = await Assert.ThrowsAsync<InputException>(() => ReadAll(path));
        Assert.Equal(1, e.Location.Element);
        Assert.Contains("gap in rounds: Round 2 has no Round 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_duplicate_round_names_both_elements()
    {
        var steps = SftBuilder.Steps("Find the mug price", ShopPages(), ShopActions);
        var path = new SftBuilder().Add([steps[0], steps[1], steps[1], steps[2]]).WriteTo(TestPaths.TempDir());
        var e = await Assert.ThrowsAsync<InputException>(() => ReadAll(path));
        Assert.Equal(2, e.Location.Element);
        Assert.Contains("duplicate Round 1: element [1]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Skip_invalid_reports_bad_trajectories_and_keeps_the_rest()
    {
        var good = SftBuilder.Steps("Find the mug price", ShopPages(), ShopActions);
        var broken = SftBuilder.Steps("Another task", ShopPages(), ShopActions);
        var emptyAction = SftBuilder.Steps("Third task", ShopPages(), ShopActions);
        emptyAction[1] = (emptyAction[1].Human, "  ");
        var noInstruction = ("Round 0\n\nhello", "exit()");
        var path = new SftBuilder().Add(good).Add([broken[0], broken[2]]).Add(emptyAction).Add([noInstruction]).WriteTo(TestPaths.TempDir());

        var problems = new ProblemLog(skipInvalid: true);
        var trajectories = await ReadAll(path, problems);
        Assert.Equal("Find the mug price", Assert.Single(trajectories).Task);
        Assert.Contains(problems.Problems, p => p.Reason.Contains("gap in rounds", StringComparison.Ordinal) && p.Location.Element == 4);
        Assert.Contains(problems.Problems, p => p.Reason == "trajectory is missing Round 1: its Round 2 is at element [4]" && p.Location.Element == 3);
        Assert.Contains(problems.Problems, p => p.Reason.Contains("empty action", StringComparison.Ordinal) && p.Location.Element == 6);
        Assert.Contains(problems.Problems, p => p.Reason.Contains("Task Instruction", StringComparison.Ordinal) && p.Location.Element == 8);
    }

    [Fact]
    public async Task Malformed_json_names_the_line()
    {
        var json = new SftBuilder().Add(SftBuilder.Steps("Find the mug price", ShopPages(), ShopActions)).ToJson();
        var path = Path.Combine(TestPaths.TempDir(), "cut.json");
        await File.WriteAllTextAsync(path, json[..(json.Length / 2)]);
        var e = await Assert.ThrowsAsync<InputException>(() => ReadAll(path));
        Assert.NotNull(e.Location.Line);
        Assert.Contains("not a valid WebArena-Lite SFT JSON array", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Round 0\n\nhello", "does not start with 'Task Instruction:'")]
    [InlineData("Task Instruction: x\n\nno rounds here", "no 'Round N' block")]
    [InlineData("Task Instruction: x\n\nRound 0\n\nx\n\ngo_backward()\n\nRound 2\n\n<p>", "expected Round 1, found Round 2")]
    [InlineData("Task Instruction: x\n\nRound 0\n\nsomething else\n\nRound 1\n\n<p>", "neither the page placeholder")]
    [InlineData("Task Instruction:   \n\nRound 0\n\n<p>", "task instruction is empty")]
    public void Bad_prompts_say_why(string prompt, string expected)
    {
        var e = Assert.Throws<FormatException>(() => SftPrompt.Parse(prompt));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prompt_layout_round_trips_exactly()
    {
        var prompt = new SftPrompt("Buy a mug", [new SftRound("Buy a mug", "do(action=\"Click\", element=\"1\")"), new SftRound(SftPrompt.HtmlPlaceholder, "do(action=\"Scroll Down\")")], "<html> <p> hi </p> </html>");
        var text = prompt.Format();
        Assert.StartsWith("Task Instruction: Buy a mug\n\nRound 0\n\n<|eot_id|><|start_header_id|>user<|end_header_id|>\nBuy a mug\n\n<|eot_id|><|start_header_id|>assistant<|end_header_id|>\ndo(action=\"Click\", element=\"1\")\n\nRound 1\n\n", text, StringComparison.Ordinal);
        Assert.EndsWith("Round 2\n\n<|eot_id|><|start_header_id|>user<|end_header_id|>\n<html> <p> hi </p> </html>\n\n<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n", text, StringComparison.Ordinal);
        var parsed = SftPrompt.Parse(text);
        Assert.Equal(prompt.Query, parsed.Query);
        Assert.Equal(prompt.History, parsed.History);
        Assert.Equal(prompt.Html, parsed.Html);
        Assert.Equal(2, parsed.Round);
        Assert.Equal(prompt.History, SftPrompt.Parse(prompt.Format(headerTokens: false)).History);
    }
}
