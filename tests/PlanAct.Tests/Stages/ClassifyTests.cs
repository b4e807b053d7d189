using PlanAct.IO;
using PlanAct.Stages.Classify;

namespace PlanAct.Tests.Stages;

public class ClassifyTests
{
    private static readonly FailureClass[] Classes =
        [new("search_terms_too_narrow", "d", "", EquatableList<string>.Empty), new("reviews_navigation", "d", "", EquatableList<string>.Empty)];

    [Theory]
    [InlineData("## Reasoning\nIt searches.\n\n## Classification\nsearch_terms_too_narrow", "search_terms_too_narrow")]
    [InlineData("**## Reasoning**\nIt reads reviews.\n## Classification:\n**Reviews_Navigation**.\nmore text", "reviews_navigation")]
    [InlineData("# reasoning\nNothing fits.\n# CLASSIFICATION\n`other`", "Other")]
    public void Reads_the_class_whatever_its_dress(string answer, string expected) =>
        Assert.Equal(expected, ClassifyStage.Check(answer, Classes).Value!.Class);

    [Theory]
    [InlineData("## Classification\nOther", "'## Reasoning' section")]
    [InlineData("## Reasoning\nx", "'## Classification' section")]
    [InlineData("## Reasoning\nx\n## Classification\nlocation_search", "'location_search' is not one of the classes. Under '## Classification' write exactly one of: search_terms_too_narrow, reviews_navigation, Other.")]
    public void An_unusable_answer_gets_an_error_to_send_back(string answer, string error) =>
        Assert.Contains(error, ClassifyStage.Check(answer, Classes).Error, StringComparison.Ordinal);

    [Fact]
    public void The_sample_classes_cover_the_five_sites()
    {
        var classes = FailureClasses.Load(Path.Combine(TestPaths.Samples, "failure-classes.yaml"));
        Assert.Equal(["gitlab", "map", "reddit", "shopping", "shopping_admin"], classes.Sites.Order());
        Assert.All(classes.Sites, s => Assert.InRange(classes.For(s).Count, 2, 6));
        Assert.Empty(classes.For("wikipedia"));
    }

    [Theory]
    [InlineData("map:\n  - name: a\n    description: b\n  - name: A\n    description: c\n", "used twice")]
    [InlineData("map:\n  - name: Other\n    description: b\n", "reserved")]
    [InlineData("map:\n  - name: a\n", "needs a name and a description")]
    [InlineData("map:\n  - name: a\n    description: b\n    colour: red\n", "not a valid failure classes file")]
    public void A_bad_classes_file_is_named(string yaml, string reason)
    {
        var path = Path.Combine(TestPaths.TempDir(), "classes.yaml");
        File.WriteAllText(path, yaml);
        var e = Assert.Throws<InputException>(() => FailureClasses.Load(path));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.StartsWith(path, e.Message, StringComparison.Ordinal);
    }
}
