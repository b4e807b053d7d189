using System.Text.Json;
using PlanAct.Html;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Text;
using PlanAct.Training;

namespace PlanAct.Tests.Training;

public class PlannerExamplesTests
{
    /// <summary>Plan records on the five real WebRL start pages, with real WebArena-Lite training intents of the same site.</summary>
    private static IEnumerable<PlanRecord> RealPlans()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.WebArenaLiteTasks));
        var tasks = doc.RootElement.EnumerateArray().ToList();
        foreach (var (site, page) in TestPaths.StartPages)
        {
            var intent = tasks.First(t => t.GetProperty("sites")[0].GetString() == site).GetProperty("intent").GetString()!;
            var plan = PlanText.Parse($"## Step 1\nReasoning: The {site} start page is open.\nDescription: d\nStep: Find what \"{intent}\" asks.\nActions: [0]\n\n## Step 2\nReasoning: Then answer.\nDescription: d\nStep: Answer.\nActions: [1]").Plan!;
            yield return new PlanRecord($"real-{site}", site, intent, page, plan, PlanOrigin.Synthetic);
        }
    }

    [Fact]
    public void Planner_example_is_system_task_and_page_then_the_target_plan()
    {
        var builder = new PlannerExamples(new ExamplePageOptions());
        foreach (var record in RealPlans())
        {
            var example = builder.Build(record);
            Assert.Empty(ExampleValidator.Validate(example));
            Assert.Equal(ExampleKind.Planner, example.Kind);
            Assert.Equal($"real-{record.Site}/planner", example.Id);
            Assert.Equal(new ExampleSource(null, null, record.Id), example.Source);
            Assert.Equal([MessageRole.System, MessageRole.User, MessageRole.Assistant], example.Messages.Select(m => m.Role));
            Assert.Contains("## Step 1\nReasoning:", example.Messages[0].Content, StringComparison.Ordinal);

            var user = example.Messages[1].Content;
            Assert.StartsWith($"Task: {record.Task}\n", user, StringComparison.Ordinal);
            Assert.EndsWith(PageView.Render(record.InitialHtml, PageView.Planner), user, StringComparison.Ordinal);
            Assert.DoesNotContain(" id=\"", user, StringComparison.Ordinal);

            Assert.Equal(PlanText.Format(record.Plan, PlanTextStyle.Target).TrimEnd(), example.Target.Content);
            Assert.DoesNotContain("Description:", example.Target.Content, StringComparison.Ordinal);
            Assert.DoesNotContain("Actions:", example.Target.Content, StringComparison.Ordinal);
        }

        Assert.Equal(0, builder.PagesCut);
    }

    [Fact]
    public void Pages_are_cut_to_the_budget_and_counted()
    {
        var builder = new PlannerExamples(new ExamplePageOptions { MaxPageTokens = 100 });
        var examples = RealPlans().Select(builder.Build).ToList();
        Assert.Equal(5, builder.PagesCut);
        Assert.All(examples, e =>
        {
            var page = e.Messages[1].Content.Split("The page before any action:\n")[1];
            Assert.InRange(TokenCounter.O200k.Count(page), 1, 100);
        });
    }

    [Fact]
    public void Grounded_plan_provenance_and_trace_carry_over()
    {
        var record = RealPlans().First() with { Origin = PlanOrigin.Grounded, Reasoning = "I looked at the page.", Teacher = "o3", Requests = EquatableList.Of("r1", "r2") };
        var example = new PlannerExamples(new ExamplePageOptions()).Build(record);
        Assert.Equal(new ExampleSource(record.Id, null, record.Id), example.Source);
        Assert.Equal("I looked at the page.", example.Reasoning);
        Assert.Equal("o3", example.Teacher);
        Assert.Equal(EquatableList.Of("r1", "r2"), example.Requests);
        Assert.DoesNotContain("I looked", string.Join("", example.Messages.Select(m => m.Content)), StringComparison.Ordinal);
    }
}
