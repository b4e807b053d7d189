using System.Text.RegularExpressions;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Training;
using PlanAct.Training.Profiles;
using PlanAct.Viewing;

namespace PlanAct.Tests.Viewing;

public partial class ViewerPagesTests
{
    private static readonly IReadOnlyList<string> Profiles = PromptProfile.BuiltInNames;

    private static PageQuery Query(string profile = PromptProfile.PlanActName) => new(new RecordFilter(), 0, profile);

    private static async Task<(RecordBrowser Browser, RecordView View)> ViewAsync(string id, string? firstTask = null, string profile = PromptProfile.PlanActName)
    {
        var (plans, trajectories) = await ViewingFixtures.WritePlansAsync(TestPaths.TempDir(), firstTask);
        var browser = await RecordBrowser.OpenAsync(plans, trajectories, CancellationToken.None);
        var entry = browser.Index.Entries.Single(e => e.Id == id);
        return (browser, await browser.ViewAsync(entry, new ExamplePageOptions { Profile = PromptProfile.Load(profile) }));
    }

    [Fact]
    public async Task Each_action_is_marked_with_the_plan_step_that_covers_it()
    {
        var (_, view) = await ViewAsync("t1");
        var html = ViewerPages.Record(view, Query(), Profiles);

        var marked = ActionMark().Matches(html).ToDictionary(m => int.Parse(m.Groups["action"].Value), m => (Step: int.Parse(m.Groups["step"].Value), Colour: m.Groups["colour"].Value));
        Assert.Equal(new Dictionary<int, (int, string)> { [0] = (1, "g0"), [1] = (2, "g1"), [2] = (2, "g1"), [3] = (3, "g2") }, marked);
        Assert.Contains("data-step=\"2\" data-actions=\"1 2\"", html, StringComparison.Ordinal);
        Assert.Contains("<li class=\"rejection-reason\">Step 2 has no Actions field.</li>", html, StringComparison.Ordinal);
        Assert.Contains("planner example (planact)", html, StringComparison.Ordinal);
        Assert.Contains("<div class=\"message assistant target\">", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Text_from_records_is_escaped_everywhere()
    {
        var (browser, view) = await ViewAsync("t1", firstTask: "Find <script>alert('x')</script> & \"more\"");
        var record = ViewerPages.Record(view, Query(), Profiles);
        var (entries, total) = browser.Index.Page(new RecordFilter(), 0, 10);
        var list = ViewerPages.List(browser, Query() with { Filter = new RecordFilter(Site: "<i>site\"</i>") }, entries, total, 10);

        Assert.DoesNotContain("<script>alert", record, StringComparison.Ordinal);
        Assert.Contains("Find &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;more&quot;", record, StringComparison.Ordinal);
        Assert.Contains("# Element: the &lt;b&gt;cart&lt;/b&gt;", record, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>cart</b>", record, StringComparison.Ordinal);
        Assert.DoesNotContain("<i>site", list, StringComparison.Ordinal);
        Assert.Contains("site=%3Ci%3Esite%22%3C%2Fi%3E", list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_quarantined_item_shows_its_reason_each_attempt_and_its_trajectory()
    {
        var (_, view) = await ViewAsync("t3");
        var html = ViewerPages.Record(view, Query(), Profiles);

        Assert.Equal("Action 2 is not assigned to any step.", view.QuarantineReason);
        Assert.Equal(2, Regex.Count(html, "<p class=\"rejection-reason\">Action 2 is not assigned to any step.</p>"));
        Assert.Contains("<pre class=\"answer\">## Step 1\nActions: [0, 1]</pre>", html, StringComparison.Ordinal);
        Assert.Equal(3, view.Actions!.Count);
        Assert.Contains("no plan was accepted", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_synthetic_plan_says_why_there_is_no_trajectory_and_a_profile_that_needs_reasoning_says_what_makes_it()
    {
        var (_, synthetic) = await ViewAsync("s1");
        var (_, grounded) = await ViewAsync("t1", profile: PromptProfile.PlanAndActName);

        Assert.Null(synthetic.Actions);
        Assert.Contains("synthetic plan", synthetic.NoActionsBecause, StringComparison.Ordinal);
        var example = Assert.Single(grounded.Examples);
        Assert.Null(example.Messages);
        Assert.Contains("planact annotate --mode cot", example.Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plan_whose_reasoning_names_what_only_its_grounding_shows_lists_the_hindsight_finding()
    {
        var dir = TestPaths.TempDir();
        var plans = Path.Combine(dir, "plans.jsonl");
        var plan = new Plan([new PlanStep(1, "Open the cart, which holds 7 products.", "The cart holds 7 products.", "Open the cart.", new EquatableList<int>([0]))]);
        await File.WriteAllLinesAsync(plans, [PlanJsonl.Format(ViewingFixtures.PlanRecord("t9", "shopping", "Check the cart", plan))]);
        var browser = await RecordBrowser.OpenAsync(plans, null, CancellationToken.None);

        var view = await browser.ViewAsync(browser.Index.Entries[0], new ExamplePageOptions());

        var finding = Assert.Single(view.Hindsight);
        Assert.Contains("7 products", finding, StringComparison.Ordinal);
        Assert.Contains("<ul class=\"hindsight\">", ViewerPages.Record(view, Query(), Profiles), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plan_shows_its_reasoning_and_its_annotation_trace_apart_and_marks_the_trace_as_never_training_data()
    {
        var dir = TestPaths.TempDir();
        var plans = Path.Combine(dir, "plans.jsonl");
        var plan = new Plan([new PlanStep(1, "Open the cart.", "Opened the cart.", "Open the cart.", new EquatableList<int>([0]))]);
        var record = ViewingFixtures.PlanRecord("t9", "shopping", "Check the cart", plan) with { Reasoning = "The cart link is on the page.", AnnotationTrace = "Action 0 opens the cart." };
        await File.WriteAllLinesAsync(plans, [PlanJsonl.Format(record)]);
        var browser = await RecordBrowser.OpenAsync(plans, null, CancellationToken.None);

        var html = ViewerPages.Record(await browser.ViewAsync(browser.Index.Entries[0], new ExamplePageOptions()), Query(), Profiles);

        Assert.Contains("<h2>teacher's reasoning</h2><pre class=\"reasoning\">The cart link is on the page.</pre>", html, StringComparison.Ordinal);
        Assert.Contains("<h2>annotation trace (written seeing every action; never training data)</h2><pre class=\"reasoning\">Action 0 opens the cart.</pre>", html, StringComparison.Ordinal);
    }

    [GeneratedRegex("<li class=\"action covered (?<colour>g\\d)\" id=\"action-(?<action>\\d+)\" data-action=\"\\d+\" data-step=\"(?<step>\\d+)\"")]
    private static partial Regex ActionMark();
}
