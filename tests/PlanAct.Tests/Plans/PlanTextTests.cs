using PlanAct.Actions;
using PlanAct.IO;
using PlanAct.Plans;

namespace PlanAct.Tests.Plans;

public class PlanTextTests
{
    private const string Good = """
        Here is the plan.

        ## Step 1
        Reasoning: The page is the One Stop Market home page with a search bar at the top.
        Description: Searched for "blue mug".
        Step: Search for blue mugs.
        Actions: [0]

        ## Step 2
        Reasoning: The results list mugs; the first one is blue.
        It spans two lines.
        Description: Opened the first result and read its price.
        Step: Open the first blue mug and read the price.
        Actions: [1, 2]
        """;

    private static WebAction Click(string element) => ActionParser.Parse($"do(action=\"Click\", element=\"{element}\")");

    private static Plan Parse(string text) => PlanText.Parse(text).Plan ?? throw new InvalidOperationException(string.Join("\n", PlanText.Parse(text).Errors));

    [Fact]
    public void Parses_fields_including_multiline_values()
    {
        var plan = Parse(Good);
        Assert.Equal(2, plan.Steps.Count);
        Assert.Equal("The results list mugs; the first one is blue.\nIt spans two lines.", plan.Steps[1].Reasoning);
        Assert.Equal(EquatableList.Of(1, 2), plan.Steps[1].Actions);
        Assert.Equal("Search for blue mugs.", plan.Steps[0].Step);
    }

    [Fact]
    public void Format_then_parse_is_identity()
    {
        var plan = Parse(Good);
        Assert.Equal(plan, Parse(PlanText.Format(plan)));
        Assert.Empty(PlanValidator.ValidateGrounding(plan, 0, 3));
    }

    [Fact]
    public void Training_target_keeps_only_reasoning_and_step()
    {
        var target = PlanText.Format(Parse(Good), PlanTextStyle.Target);
        Assert.DoesNotContain("Description:", target, StringComparison.Ordinal);
        Assert.DoesNotContain("Actions:", target, StringComparison.Ordinal);
        Assert.StartsWith("## Step 1\nReasoning: The page is the One Stop Market", target, StringComparison.Ordinal);
        var reparsed = PlanText.Parse(target, grounded: false);
        Assert.True(reparsed.Success);
        Assert.All(reparsed.Plan!.Steps, s => Assert.Null(s.Actions));
    }

    [Fact]
    public void Tolerates_markdown_decoration()
    {
        var plan = Parse("### Step 1:\n**Reasoning:** r\n- **Description:** d\n**Step:** s\n**Actions:** [ 0 , 1 ]");
        Assert.Equal(EquatableList.Of(0, 1), plan.Steps[0].Actions);
        Assert.Equal("r", plan.Steps[0].Reasoning);
    }

    [Theory]
    [InlineData("just some text", "No '## Step N' blocks were found.")]
    [InlineData("## Step 1\nReasoning: r\nDescription: d\nStep: s\nActions: [0]\n## Step 3\nReasoning: r\nDescription: d\nStep: s\nActions: [1]", "found '## Step 3' where '## Step 2' was expected")]
    [InlineData("## Step 1\nReasoning: r\nStep: s\nActions: [0]", "Step 1 has no 'Description:' line.")]
    [InlineData("## Step 1\nReasoning: r\nDescription: d\nStep:   \nActions: [0]", "Step 1 has an empty 'Step:' line.")]
    [InlineData("## Step 1\nReasoning: r\nDescription: d\nStep: s\nActions: 0-2", "Step 1: 'Actions:' must be a list of action indices such as [3, 4, 5]; got \"0-2\".")]
    [InlineData("## Step 1\nReasoning: r\nReasoning: again\nDescription: d\nStep: s\nActions: [0]", "Step 1 has more than one 'Reasoning:' line.")]
    [InlineData("## Step 1\nstray words\nReasoning: r\nDescription: d\nStep: s\nActions: [0]", "Step 1 has text before its 'Reasoning:' line")]
    public void Parse_errors_are_exact(string text, string expected)
    {
        var result = PlanText.Parse(text);
        Assert.False(result.Success);
        Assert.Contains(result.Errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    private static Plan Grounded(params int[][] actions) => new(actions
        .Select((a, i) => new PlanStep(i + 1, "r", "d", "s", a.ToEquatableList()))
        .ToEquatableList());

    [Theory]
    [InlineData(new[] { "0,1", "2" }, 0, 3, null)]
    [InlineData(new[] { "3", "4,5" }, 3, 6, null)]
    [InlineData(new[] { "0", "2" }, 0, 3, "Action 1 is not assigned to any step: step 1 ends at action 0 but step 2 starts at action 2.")]
    [InlineData(new[] { "1", "2" }, 0, 3, "Action 0 is not assigned to any step: the plan begins but step 1 starts at action 1.")]
    [InlineData(new[] { "0", "1" }, 0, 4, "Actions 2..3 are not assigned to any step: the last step must end at action 3.")]
    [InlineData(new[] { "0,1", "1,2" }, 0, 3, "Step 2 starts at action 1, but actions up to 1 already belong to earlier steps; each action belongs to exactly one step.")]
    [InlineData(new[] { "0,2", "3" }, 0, 4, "Step 1's Actions [0, 2] are not contiguous: action 1 is missing inside the step.")]
    [InlineData(new[] { "1,0", "2" }, 0, 3, "Step 1's Actions [1, 0] are not in ascending order.")]
    [InlineData(new[] { "0", "" }, 0, 2, "Step 2 has an empty Actions list; every step must own at least one action.")]
    [InlineData(new[] { "0", "1,2,3" }, 0, 3, "Step 2 lists action 3, but the actions to cover are 0..2.")]
    [InlineData(new[] { "0", "1" }, 1, 2, "Step 1 lists action 0, but the actions to cover are 1..1.")]
    public void Grounding_errors_name_exact_indices(string[] steps, int first, int end, string? expected)
    {
        var plan = Grounded([.. steps.Select(s => s.Length == 0 ? Array.Empty<int>() : s.Split(',').Select(int.Parse).ToArray())]);
        var errors = PlanValidator.ValidateGrounding(plan, first, end);
        if (expected is null)
        {
            Assert.Empty(errors);
        }
        else
        {
            Assert.Contains(expected, errors);
        }
    }

    [Fact]
    public async Task Plan_records_round_trip_through_jsonl()
    {
        var record = new PlanRecord("t1", "shopping", "Find the mug price", "<html> </html>", Parse(Good), PlanOrigin.Grounded)
        {
            Teacher = "gpt-4o",
            Requests = EquatableList.Of("r1", "r2"),
            Reasoning = "thinking…",
        };
        var path = Path.Combine(TestPaths.TempDir(), "plans.jsonl");
        await File.WriteAllTextAsync(path, PlanJsonl.Format(record) + "\n{\"id\": \"x\"}\n");
        var problems = new ProblemLog(skipInvalid: true);
        var back = await PlanJsonl.ReadAsync(path, problems).ToListAsync();
        var single = Assert.Single(back);
        Assert.Equal(record with { Requests = null }, single with { Requests = null });
        Assert.Equal(record.Requests, single.Requests);
        Assert.Equal(2, Assert.Single(problems.Problems).Location.Line);
    }

    [Fact]
    public async Task Plan_and_replan_records_of_the_first_schema_still_read_with_their_trace_as_an_annotation_trace_never_as_reasoning()
    {
        var record = new PlanRecord("t1", "shopping", "Find the mug price", "<html> </html>", Parse(Good), PlanOrigin.Grounded) { Reasoning = "seen every action" };
        var legacyPlan = PlanJsonl.Format(record).Replace(PlanJsonl.SchemaId, PlanJsonl.LegacySchemaId, StringComparison.Ordinal).Replace("\"reasoning\":\"seen every action\"", "\"trace\":\"seen every action\"", StringComparison.Ordinal);
        var replan = new ReplanRecord("t1", "shopping", "Find the mug price", EquatableList.Of(Click("1"), Click("2"), ActionParser.Parse("exit(message=\"4\")")), Parse(Good), EquatableList.Of(
            new ReplanRound(1, "<html> </html>", new Plan(EquatableList.Of(new PlanStep(1, "r", null, "s", EquatableList.Of(1, 2))))) { Reasoning = "saw what remains" },
            new ReplanRound(2, "<html> </html>", new Plan(EquatableList.Of(new PlanStep(1, "r", null, "s", EquatableList.Of(2)))))));
        var legacyReplan = ReplanJsonl.Format(replan).Replace(ReplanJsonl.SchemaId, ReplanJsonl.LegacySchemaId, StringComparison.Ordinal).Replace("\"reasoning\":\"saw what remains\"", "\"trace\":\"saw what remains\"", StringComparison.Ordinal);
        Assert.Contains("\"trace\"", legacyPlan, StringComparison.Ordinal);
        Assert.Contains("\"trace\"", legacyReplan, StringComparison.Ordinal);

        var plan = PlanJsonl.Read(legacyPlan, new SourceLocation("plans.jsonl", 1));
        var round = ReplanJsonl.Read(legacyReplan, new SourceLocation("replans.jsonl", 1)).Rounds[0];

        Assert.Equal((null, "seen every action"), (plan.Reasoning, plan.AnnotationTrace));
        Assert.Equal((null, "saw what remains"), (round.Reasoning, round.AnnotationTrace));
    }

    [Fact]
    public async Task Generated_records_keep_their_seeds_page_and_label_and_the_schema_names_every_field()
    {
        var record = new PlanRecord("synthetic-00003-2", "map", "Find a bakery", "<html> </html>", Parse(Good), PlanOrigin.Targeted)
        {
            Teacher = "gpt-4o",
            Requests = EquatableList.Of("r1"),
            Reasoning = "thinking…",
            Seeds = EquatableList.Of("s1", "s2"),
            InitialHtmlFrom = "s2",
            Label = new FailureLabel("location_search", "It searches for a place."),
        };
        var path = Path.Combine(TestPaths.TempDir(), "plans.jsonl");
        await File.WriteAllTextAsync(path, PlanJsonl.Format(record) + "\n" + PlanJsonl.Format(record with { Id = "t2" }).Replace("\"class\":\"location_search\"", "\"class\":\"\"", StringComparison.Ordinal) + "\n");
        var problems = new ProblemLog(skipInvalid: true);

        Assert.Equal(record, Assert.Single(await PlanJsonl.ReadAsync(path, problems).ToListAsync()));
        Assert.Contains("\"label\" has no \"class\"", Assert.Single(problems.Problems).Reason, StringComparison.Ordinal);

        using var schema = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Root, "schemas", "plan.schema.json")));
        var properties = schema.RootElement.GetProperty("properties");
        using var line = System.Text.Json.JsonDocument.Parse(PlanJsonl.Format(record));
        foreach (var property in line.RootElement.EnumerateObject())
        {
            Assert.True(properties.TryGetProperty(property.Name, out _), $"schema lacks \"{property.Name}\"");
        }

        var label = properties.GetProperty("label").GetProperty("properties");
        Assert.All(line.RootElement.GetProperty("label").EnumerateObject(), p => Assert.True(label.TryGetProperty(p.Name, out _), p.Name));
    }
}
