using PlanAct.IO;
using PlanAct.Stages.Annotate;

namespace PlanAct.Tests.Text;

public class PromptTemplateTests
{
    private static readonly (string Name, string Value)[] AnnotateValues =
    [
        ("examples", ""), ("task", "Find {{task}} the cheapest mug"), ("site", "shopping"), ("page", "<p> $ {{page}} </p>"),
        ("count", "7"), ("last", "6"), ("described", ""), ("actions", "0. click [3]"), ("grammar", "WebRL calls"),
    ];

    [Fact]
    public void Every_slot_is_filled_with_its_value_each_time_it_occurs_and_values_are_not_filled_again()
    {
        var text = PromptTemplate.Load(typeof(AnnotateStage), "annotate.user.md").Fill(AnnotateValues);

        // {{count}} occurs twice; a value that looks like a slot stays as written.
        Assert.DoesNotContain("{{count}}", text, StringComparison.Ordinal);
        Assert.True(text.Split("7").Length - 1 >= 2);
        Assert.Contains("Find {{task}} the cheapest mug", text, StringComparison.Ordinal);
        Assert.Contains("<p> $ {{page}} </p>", text, StringComparison.Ordinal);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(text, @"\{\{[a-z_]+\}\}"));
    }

    [Fact]
    public void A_slot_without_a_value_or_a_value_without_a_slot_is_a_bug()
    {
        var template = PromptTemplate.Load(typeof(AnnotateStage), "annotate.user.md");
        var missing = Assert.Throws<InvalidOperationException>(() => template.Fill([.. AnnotateValues.Where(v => v.Name != "site")]));
        Assert.Contains("{{site}} has no value", missing.Message, StringComparison.Ordinal);
        var extra = Assert.Throws<InvalidOperationException>(() => template.Fill([.. AnnotateValues, ("colour", "blue")]));
        Assert.Contains("no slot for colour", extra.Message, StringComparison.Ordinal);
    }
}
