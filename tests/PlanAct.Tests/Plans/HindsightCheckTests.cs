using PlanAct.Actions;
using PlanAct.Html;
using PlanAct.Loopback;
using PlanAct.Plans;
using PlanAct.Plans.Hindsight;
using PlanAct.Stages;
using PlanAct.Stages.Annotate;
using PlanAct.Tests.Training;
using PlanAct.Trajectories;
using Xunit.Abstractions;

namespace PlanAct.Tests.Plans;

public class HindsightCheckTests(ITestOutputHelper output)
{
    private const string Task = "Find the cheapest \"blue mug\" under $20 in the One Stop Market and tell me its price.";

    private static readonly string[] Pages =
    [
        "<html><body><input placeholder=\"Search entire store here...\"> <a>Home & Kitchen</a> <a>Welcome to One Stop Market</a> <span>Cart 3 items</span> <span>Updated Apr 2, 2023</span></body></html>",
        "<html><body><h1>Search results for 'blue mug'</h1> <span>12 items</span> <a>Ceramic Blue Mug Set</a> <span>$1,299.00</span> <a>Juniper Blue Mug</a> <span>$7.49</span></body></html>",
        "<html><body><h1>Juniper Blue Mug</h1> <span>$7.49</span> <span>Sold by Harbor Goods</span> <span>https://shop.example.com/juniper</span> <span>support@harbor.example</span> <span>Released May 3, 2021</span></body></html>",
    ];

    private static readonly WebAction[] Actions =
    [
        WebAction.Do("Search", "blue mug", "5", new ActionComment(CommentKind.Element, "the search box")),
        WebAction.Do("Click", null, "9", new ActionComment(CommentKind.Note, "Sorted by price, the cheapest is Juniper Blue Mug at $7.49; 'Harbor Goods' sells it.")),
        WebAction.Exit("The cheapest blue mug is the Juniper Blue Mug at $7.49 (7 products matched)."),
    ];

    private static TrajectoryHindsight Mugs { get; } = new(Task, Pages, Actions);

    private static IReadOnlyList<HindsightFinding> Planner(string reasoning, string step = "Search for the mug.") =>
        Mugs.At(0).Find([new TargetPart("Step 1's reasoning", reasoning), new TargetPart("Step 1's 'Step:' line", step)]);

    [Theory]
    [InlineData("The task sets a $20 limit, so anything cheaper counts.")]
    [InlineData("The limit is 20 dollars.")]
    [InlineData("Search for \"Blue Mug\" in the One Stop Market.")]
    [InlineData("The cart already holds 3 items; the Home & Kitchen menu is on the page.")]
    [InlineData("The page was updated April 2, 2023, so prices are current.")]
    [InlineData("Sort by price, open the cheapest result and read its price.")]
    [InlineData("The results page will list mugs; Step 2 opens one of them after 3 actions.")]
    [InlineData("Welcome To One Stop Market is the home page.")]
    public void Values_of_the_task_the_first_page_or_no_later_text_are_never_flagged(string reasoning) => Assert.Empty(Planner(reasoning));

    [Theory]
    [InlineData("The cheapest mug costs $7.49.", "$7.49", "is first seen on the page after action 0")]
    [InlineData("The cheapest mug costs 7.49 dollars.", "7.49 dollars", "is first seen on the page after action 0")]
    [InlineData("The set costs $1,299, so skip it.", "$1,299", "is first seen on the page after action 0")]
    [InlineData("The set costs 1299.00.", "1299.00", "is first seen on the page after action 0")]
    [InlineData("There are 12 items to compare.", "12 items", "is first seen on the page after action 0")]
    [InlineData("Only 7 products match.", "7 products", "only the final answer shows")]
    [InlineData("Open the Juniper Blue Mug.", "Juniper Blue Mug", "is first seen on the page after action 0")]
    [InlineData("The seller is 'harbor goods'.", "harbor goods", "is first written in action 1's comment")]
    [InlineData("It came out on 3 May 2021.", "3 May 2021", "is first seen on the page after action 1")]
    [InlineData("Check http://www.shop.example.com/juniper for details.", "http://www.shop.example.com/juniper", "is first seen on the page after action 1")]
    [InlineData("Write to Support@Harbor.example.", "Support@Harbor.example", "is first seen on the page after action 1")]
    public void Values_only_later_text_shows_are_flagged_with_where_they_were_first_seen(string reasoning, string value, string reveals)
    {
        var finding = Assert.Single(Planner(reasoning));
        Assert.Equal(value, finding.Value);
        Assert.Equal("Step 1's reasoning", finding.Where);
        Assert.Equal(reveals, finding.Reveals);
    }

    [Fact]
    public void A_finding_reads_as_the_reask_names_it()
    {
        var findings = Mugs.At(0).Find([new TargetPart("Step 2's reasoning", "The category has 7 products.")]);

        Assert.Equal("Step 2's reasoning names '7 products', which only the final answer shows; a planner cannot know it.", Assert.Single(findings).ToString());
        Assert.StartsWith(HindsightCheck.ErrorPrefix + "Step 2's reasoning names '7 products'", HindsightCheck.Error(findings), StringComparison.Ordinal);
        Assert.Equal(HindsightCheck.Reason, HindsightCheck.QuarantineReason(HindsightCheck.Error(findings)));
        Assert.Equal(HindsightCheck.Reason, ReasonCounts.Fold(HindsightCheck.Error(findings)));
    }

    [Fact]
    public void A_replanner_knows_the_pages_and_actions_so_far_but_not_what_comes_after()
    {
        var round1 = Mugs.At(1);
        Assert.Equal("a replanner at round 1", round1.Who);
        Assert.Empty(round1.Find([new TargetPart("Step 1's reasoning", "The results show 12 items; the Juniper Blue Mug costs $7.49.")]));
        var later = Assert.Single(round1.Find([new TargetPart("Step 1's reasoning", "Harbor Goods sells it.")]));
        Assert.Equal("is first written in action 1's comment", later.Reveals);

        var round2 = Mugs.At(2);
        Assert.Empty(round2.Find([new TargetPart("Step 1's reasoning", "Harbor Goods sells it, released May 3, 2021.")]));
        Assert.Single(round2.Find([new TargetPart("The thinking", "7 products matched.")]));
    }

    [Fact]
    public void A_plans_target_parts_are_its_thinking_then_each_steps_reasoning_and_step_line()
    {
        var plan = PlanText.Parse("## Step 1\nReasoning: r1\nStep: s1\n\n## Step 2\nReasoning: r2\nStep: s2\n", grounded: false).Plan!;

        Assert.Equal(
            ["The thinking", "Step 1's reasoning", "Step 1's 'Step:' line", "Step 2's reasoning", "Step 2's 'Step:' line"],
            TargetPart.Of(plan, "thought").Select(p => p.Where));
    }

    /// <summary>
    /// The false-positive rate on the samples' plans: the hand-written plans of the built-in annotate examples (against
    /// the sample trajectory of the same task), the plans the scripted teachers write for every sample trajectory and
    /// round, the replanner agent state's plans, and the answer corpus's grounded plans (written for no sample
    /// trajectory, so anything found in them is a false positive) against every sample trajectory.
    /// </summary>
    [Fact]
    public async Task Plans_of_the_samples_have_no_findings()
    {
        var trajectories = await TrajectoryFiles.ReadAsync(Path.Combine(TestPaths.Samples, "trajectories.jsonl"), new TrajectoryReadOptions()).ToListAsync();
        var checks = trajectories.ToDictionary(t => t.Id, t => new TrajectoryHindsight(t.Task, [.. t.Steps.Select(s => s.Html)], [.. t.Steps.Select(s => s.Action)]));
        var corpus = Directory.GetFiles(Path.Combine(TestPaths.Root, "tests", "PlanAct.Tests", "Fixtures", "answers", "grounded-plan"), "*.txt")
            .Select(f => File.ReadAllText(f).Split("=== answer ===\n")[1])
            .Select(text => AnswerForms.CheckGrounded(text, 0, 1_000).Value ?? PlanText.Parse(text, grounded: false).Plan)
            .OfType<Plan>()
            .ToList();
        var checkedPlans = 0;
        var values = 0;
        var findings = new List<string>();

        void Check(string label, HindsightCheck check, IEnumerable<TargetPart> parts)
        {
            var list = parts.ToList();
            checkedPlans++;
            values += list.Sum(p => HindsightText.Values(p.Text).Count);
            findings.AddRange(check.Find(list).Select(f => $"{label}: {f}"));
        }

        foreach (var trajectory in trajectories)
        {
            var check = checks[trajectory.Id];
            var count = trajectory.Steps.Count;
            Check($"{trajectory.Id} scripted plan", check.At(0), TargetPart.Of(PlanText.Parse(ScriptedPlans.ValidPlan(count)).Plan!));
            Check($"{trajectory.Id} test plan", check.At(0), TargetPart.Of(TestPlans.For(trajectory).Plan));
            Check($"{trajectory.Id} task restated", check.At(0), [new TargetPart("The thinking", $"The task: {trajectory.Task}")]);
            for (var round = 1; round < count; round++)
            {
                Check($"{trajectory.Id} scripted round {round}", check.At(round), TargetPart.Of(PlanText.Parse(ScriptedReplans.ValidPlan(round, count - 1)).Plan!));
                Check($"{trajectory.Id} test replan {round}", check.At(round), TargetPart.Of(TestPlans.ReplansFor(trajectory).Rounds[round - 1].Plan));
            }

            for (var round = 0; round < count; round++)
            {
                Check($"{trajectory.Id} page {round} restated", check.At(round), [new TargetPart("The thinking", PageView.Render(trajectory.Steps[round].Html, PageView.Planner))]);
            }

            foreach (var example in AnnotationExamples.BuiltIn.For(trajectory.Site).Where(e => e.Task == trajectory.Task))
            {
                Check($"{trajectory.Id} built-in example", check.At(0), TargetPart.Of(PlanText.Parse(example.Plan).Plan!));
            }

            foreach (var (plan, i) in corpus.Select((p, i) => (p, i)))
            {
                Check($"{trajectory.Id} corpus plan {i}", check.At(0), TargetPart.Of(plan));
            }
        }

        var replanner = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(TestPaths.Samples, "agent-states", "replanner.json")))!;
        var makeup = trajectories.First(t => t.Task == (string?)replanner["task"]);
        foreach (var text in replanner["plans"]!.AsArray().Select(p => (string)p!).Append((string)replanner["plan"]!))
        {
            Check("agent state replanner", checks[makeup.Id].At(1), TargetPart.Of(PlanText.Parse(text, grounded: false).Plan!));
        }

        output.WriteLine($"{checkedPlans} plans, {values} values, {findings.Count} findings");
        findings.ForEach(output.WriteLine);
        Assert.True(checkedPlans > 400 && values > 3000, $"{checkedPlans} plans, {values} values");
        Assert.Empty(findings);
    }
}
