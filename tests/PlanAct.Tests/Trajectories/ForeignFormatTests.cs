using PlanAct.Actions;
using PlanAct.Html;
using PlanAct.IO;
using PlanAct.Trajectories;

namespace PlanAct.Tests.Trajectories;

/// <summary>The real ADP, BrowserGym and WebVoyager samples (tests/PlanAct.Tests/Fixtures/real) read with their counts.</summary>
public class ForeignFormatTests
{
    private static async Task<(List<Trajectory> Trajectories, ProblemLog Problems)> Read(string path, TrajectoryFormat? format = null, bool skipInvalid = false)
    {
        var problems = new ProblemLog(skipInvalid);
        var trajectories = await TrajectoryFiles.ReadAsync(path, new TrajectoryReadOptions { Problems = problems, Format = format }).ToListAsync();
        return (trajectories, problems);
    }

    // file, format told from content, grammar, trajectories, steps, steps per trajectory, missing observations
    [Theory]
    [InlineData("adp_go-browse-wa_sample_std.json", "Adp", "browsergym", 5, 28, "5,5,6,5,7", 0)]
    [InlineData("adp_nnetnav-live_sample_std.json", "Adp", "browsergym", 5, 30, "2,9,5,5,9", 0)]
    [InlineData("adp_synatra_sample_std.json", "Adp", "browsergym", 5, 5, "1,1,1,1,1", 0)]
    [InlineData("adp_go-browse-wa_sample_raw.json", "BrowserGym", "browsergym", 5, 5, "1,1,1,1,1", 0)]
    [InlineData("webvoyager_taskAmazon--0_interact_messages.json", "WebVoyager", "webvoyager", 1, 3, "3", 0)]
    [InlineData("webvoyager_taskBooking--1_interact_messages.json", "WebVoyager", "webvoyager", 1, 9, "9", 6)]
    public async Task Every_real_sample_is_read_with_its_counts_and_no_unknown_actions(
        string file, string format, string grammar, int trajectories, int steps, string perTrajectory, int missing)
    {
        var path = TestPaths.RealFixture(file);
        Assert.Equal(Enum.Parse<TrajectoryFormat>(format), TrajectoryFiles.DetectFormat(path));
        var (read, problems) = await Read(path);
        Assert.Equal(0, problems.ErrorCount);
        Assert.Equal(trajectories, read.Count);
        Assert.Equal(steps, read.Sum(t => t.Steps.Count));
        Assert.Equal(perTrajectory, string.Join(',', read.Select(t => t.Steps.Count)));
        Assert.All(read, t => Assert.Equal(grammar, t.Grammar.Name()));
        var all = read.SelectMany(t => t.Steps).ToList();
        Assert.DoesNotContain(all, s => s.Action.Kind == ActionKind.Unknown);
        Assert.Empty(all.SelectMany(s => s.Action.Problems()));
        Assert.Equal(missing, all.Count(s => s.Observation == ObservationKind.Missing));
        Assert.All(all.Where(s => s.Observation == ObservationKind.Missing), s => Assert.Equal(Observation.MissingText, s.Html));
        Assert.Equal(read.Select(t => t.Id).Distinct().Count(), read.Count);

        // Every action prints back to text that parses to the same action in its grammar.
        Assert.All(all, s => Assert.Equal(s.Action, ActionParser.Parse(ActionPrinter.Print(s.Action), s.Action.Grammar)));
    }

    [Fact]
    public async Task Adp_steps_keep_source_actions_pages_and_reasoning()
    {
        var (read, _) = await Read(TestPaths.RealFixture("adp_go-browse-wa_sample_std.json"));
        var first = read[0];
        Assert.Equal(("0", "map"), (first.Id, first.Site));
        Assert.Equal("Find driving directions from Central Park, New York to Times Square, New York using the Car (OSRM) option.", first.Task);
        Assert.Equal(
            ["click('149')", "fill('158', 'Central Park, New York')", "fill('163', 'Times Square, New York')", "click('171')"],
            first.Steps.Take(4).Select(s => ActionPrinter.Print(s.Action)));
        Assert.Equal(ActionKind.SendMessage, first.Steps[^1].Action.Kind);
        Assert.StartsWith("<finish>", first.Steps[^1].Action.Message, StringComparison.Ordinal);
        Assert.All(first.Steps, s => Assert.Equal(ObservationKind.AxTree, s.Observation));
        Assert.StartsWith("RootWebArea 'OpenStreetMap'", first.Steps[0].Html, StringComparison.Ordinal);
        Assert.StartsWith("http://ec2-3-148-123-246", first.Steps[0].Url, StringComparison.Ordinal);
        Assert.StartsWith("Looking at the current page, I can see I'm on OpenStreetMap.", first.Steps[0].Reasoning, StringComparison.Ordinal);
        Assert.Contains(read.SelectMany(t => t.Steps), s => ActionPrinter.Print(s.Action) == "select_option('166', 'Car (OSRM)')");

        var (nnetnav, _) = await Read(TestPaths.RealFixture("adp_nnetnav-live_sample_std.json"));
        Assert.Equal("Find the NLP model with repository information on the Hugging Face platform.", nnetnav[1].Task);
        Assert.Equal("huggingface.co", nnetnav[1].Site);
        Assert.Equal("type('78', 'NLP model repository', press_enter_after=0)", ActionPrinter.Print(nnetnav[1].Steps[1].Action));
        Assert.Contains(nnetnav.SelectMany(t => t.Steps), s => ActionPrinter.Print(s.Action) == "scroll(0, 500)");

        var (synatra, _) = await Read(TestPaths.RealFixture("adp_synatra_sample_std.json"));
        Assert.Equal("Block access to social media on my Mac while I'm working using Cold Turkey.", synatra[0].Task);
        Assert.Equal("click('93')", ActionPrinter.Print(synatra[0].Steps[0].Action));
    }

    [Fact]
    public async Task WebVoyager_runs_keep_element_lists_thoughts_and_mark_omitted_observations()
    {
        var (amazon, _) = await Read(TestPaths.RealFixture("webvoyager_taskAmazon--0_interact_messages.json"));
        var run = Assert.Single(amazon);
        Assert.Equal(("webvoyager_taskAmazon--0_interact_messages", "www.amazon.com"), (run.Id, run.Site));
        Assert.Equal("Search an Xbox Wireless controller with green color and rated above 4 stars.", run.Task);
        Assert.Equal(["Type [2]; green Xbox Wireless controller 4 stars", "Click [33]"], run.Steps.Take(2).Select(s => ActionPrinter.Print(s.Action)));
        Assert.Equal(ActionKind.Answer, run.Steps[2].Action.Kind);
        Assert.StartsWith("[0]: \".us\", \"Amazon\";", run.Steps[0].Html, StringComparison.Ordinal);
        Assert.Equal("https://www.amazon.com/", run.Steps[0].Url);
        Assert.StartsWith("The task is to search for a green Xbox", run.Steps[0].Reasoning, StringComparison.Ordinal);

        var (booking, _) = await Read(TestPaths.RealFixture("webvoyager_taskBooking--1_interact_messages.json"));
        Assert.Equal(
            ["Type [15]; Jakarta", "Click [60]", "Click [63]", "Click [99]", "Scroll [WINDOW]; down", "Scroll [WINDOW]; up", "Click [41]", "Click [54]"],
            booking[0].Steps.Take(8).Select(s => ActionPrinter.Print(s.Action)));
    }

    [Fact]
    public async Task A_folder_of_run_folders_is_read_with_each_run_named_by_its_folder()
    {
        var dir = TestPaths.TempDir();
        foreach (var name in new[] { "taskAmazon--0", "taskBooking--1" })
        {
            Directory.CreateDirectory(Path.Combine(dir, name));
            File.Copy(TestPaths.RealFixture($"webvoyager_{name}_interact_messages.json"), Path.Combine(dir, name, "interact_messages.json"));
        }

        var (read, problems) = await Read(dir);
        Assert.Equal(0, problems.ErrorCount);
        Assert.Equal(["taskAmazon--0", "taskBooking--1"], read.Select(t => t.Id));
        Assert.Equal([3, 9], read.Select(t => t.Steps.Count));
    }

    [Fact]
    public async Task Repeated_adp_ids_are_made_unique_and_reported()
    {
        var path = Path.Combine(TestPaths.TempDir(), "dup.json");
        const string trajectory = """{"id": "7", "content": [{"class_": "text_observation", "content": "Objective: buy milk", "source": "user"}, {"class_": "web_observation", "axtree": "RootWebArea 'Shop'\n\t[3] button 'Buy'"}, {"class_": "api_action", "function": "click", "kwargs": {"bid": "\"3\""}, "description": "Buy it."}, {"class_": "message_action", "content": "done"}]}""";
        await File.WriteAllTextAsync(path, $"[{trajectory},\n{trajectory}]");
        var (read, problems) = await Read(path);
        Assert.Equal(["7", "7#2"], read.Select(t => t.Id));
        Assert.Equal("buy milk", read[0].Task);
        Assert.Contains(problems.Problems, p => p.Reason.Contains("id \"7\" was used before in this file; read as \"7#2\"", StringComparison.Ordinal) && p.Location.Element == 1);
        Assert.Equal(["click('3')", "send_msg_to_user('done')"], read[0].Steps.Select(s => ActionPrinter.Print(s.Action)));
        Assert.Equal("Buy it.", read[0].Steps[0].Reasoning);
        Assert.Equal(ObservationKind.Missing, read[0].Steps[1].Observation);
    }

    [Fact]
    public async Task Invalid_adp_trajectories_are_located_and_skipped_only_with_skip_invalid()
    {
        var path = Path.Combine(TestPaths.TempDir(), "bad.json");
        await File.WriteAllTextAsync(path, """
            [{"id": "a", "content": [{"class_": "web_observation", "axtree": "x"}, {"class_": "api_action", "function": "click", "kwargs": {"bid": "\"1\""}}]},
             {"id": "b", "content": [{"class_": "text_observation", "content": "Do it"}, {"class_": "api_action", "function": "click", "kwargs": {"bid": "\"1\""}}]}]
            """);
        var thrown = await Assert.ThrowsAsync<InputException>(() => Read(path));
        Assert.Equal(new SourceLocation(path, Element: 0), thrown.Location);
        Assert.Contains("trajectory \"a\" has no task", thrown.Message, StringComparison.Ordinal);

        var (read, problems) = await Read(path, skipInvalid: true);
        Assert.Equal("b", Assert.Single(read).Id);
        Assert.Equal(1, problems.ErrorCount);
    }

    [Fact]
    public async Task Malformed_json_stops_at_its_line_and_format_can_be_forced()
    {
        var path = Path.Combine(TestPaths.TempDir(), "broken.json");
        await File.WriteAllTextAsync(path, "[{\"id\": \"a\", \"content\": [\n{\"class_\": \"text_observation\",\n \"content\": }]}]");
        var thrown = await Assert.ThrowsAsync<InputException>(() => Read(path));
        Assert.Equal(3, thrown.Location.Line);

        // Forced: an ADP file read as WebVoyager messages is refused with a reason, not misread.
        var forced = await Assert.ThrowsAsync<InputException>(() => Read(TestPaths.RealFixture("adp_synatra_sample_std.json"), TrajectoryFormat.WebVoyager));
        Assert.Contains("no user message", forced.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Planact_jsonl_keeps_grammar_kinds_urls_and_reasoning_and_old_files_are_still_read()
    {
        var dir = TestPaths.TempDir();
        var (read, _) = await Read(TestPaths.RealFixture("webvoyager_taskBooking--1_interact_messages.json"));
        var jsonl = Path.Combine(dir, "wv.jsonl");
        await TrajectoryJsonl.WriteAsync(jsonl, read.ToAsyncEnumerable());
        var (back, _) = await Read(jsonl);
        Assert.Equal(read.Select(t => t with { Source = null }), back.Select(t => t with { Source = null }));
        Assert.Equal(read.SelectMany(t => t.Steps.Select(s => (s.Observation, s.Url, s.Reasoning))), back.SelectMany(t => t.Steps.Select(s => (s.Observation, s.Url, s.Reasoning))));
        Assert.Contains("\"schema\":\"planact/trajectory@2\"", await File.ReadAllTextAsync(jsonl), StringComparison.Ordinal);

        var old = Path.Combine(dir, "old.jsonl");
        await File.WriteAllTextAsync(old, """{"schema":"planact/trajectory@1","id":"t","site":"shopping","task":"x","steps":[{"index":0,"html":"<p id=\"1\">a</p>","action":"exit(message=\"a\")"}]}""" + "\n");
        var (oldRead, _) = await Read(old);
        var one = Assert.Single(oldRead);
        Assert.Equal((ActionGrammar.WebRl, ObservationKind.WebRlHtml), (one.Grammar, one.Steps[0].Observation));
    }
}
