using PlanAct.Html;
using PlanAct.Text;
using PlanAct.Trajectories;

namespace PlanAct.Tests.Html;

public class ObservationTests
{
    private const string Tree = "RootWebArea 'Shop', focused, url='https://shop.example/cart'\n\t[12] link 'Home'\n\t[13] textbox 'Search', clickable\n\t\t[14] StaticText 'mugs and cups'\n\t[15] button 'Go'";
    private const string List = "[0]: \"Deals\";\t[2]: <input> \"Search Amazon\";\t[5]: <button> \"Go\";";

    [Theory]
    [InlineData(Tree, "axtree")]
    [InlineData(List, "element-list")]
    [InlineData("<html><body><a id=\"3\">x</a></body></html>", "webrl-html")]
    [InlineData("<head bid=\"1\"><title bid=\"2\">x</title></head>", "html")]
    [InlineData(Observation.MissingText, "missing")]
    public void Kinds_are_told_from_the_text(string text, string kind) => Assert.Equal(kind, Observation.Detect(text).Name());

    [Fact]
    public void Only_the_executor_sees_element_ids()
    {
        Assert.Equal(Tree, Observation.Executor(Tree));
        Assert.Equal("RootWebArea 'Shop', focused, url='https://shop.example/cart'\n\tlink 'Home'\n\ttextbox 'Search', clickable\n\t\tStaticText 'mugs and cups'\n\tbutton 'Go'", Observation.Planner(Tree));
        Assert.Equal("[0]: \"Deals\";\n[2]: <input> \"Search Amazon\";\n[5]: <button> \"Go\";", Observation.Executor(List));
        Assert.Equal("\"Deals\";\n<input> \"Search Amazon\";\n<button> \"Go\";", Observation.Planner(List));
        Assert.Equal(Observation.MissingText, Observation.Planner(Observation.MissingText));
    }

    [Theory]
    [InlineData(Tree)]
    [InlineData(List)]
    public void Budgets_cut_only_between_lines(string text)
    {
        var counter = TokenCounter.O200k;
        var executor = Observation.Executor(text);
        var lines = executor.Split('\n');
        for (var budget = 0; budget < counter.Count(executor) + 2; budget++)
        {
            var fitted = Observation.FitView(text, executor: true, budget, counter);
            Assert.True(counter.Count(fitted.Html) <= budget || fitted.Html.Length == 0);
            Assert.Equal(fitted.Html.Length == 0 ? 0 : fitted.Html.Split('\n').Length, lines.TakeWhile((_, i) => string.Join('\n', lines[..(i + 1)]).Length <= fitted.Html.Length).Count());
            Assert.StartsWith(fitted.Html, executor, StringComparison.Ordinal);
            Assert.All(fitted.Html.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.Contains(line, lines));
        }
    }

    [Fact]
    public void Shows_finds_elements_by_the_kind_of_page_and_sites_fall_back_to_the_host()
    {
        Assert.True(Observation.Shows(Tree, ObservationKind.AxTree, "13"));
        Assert.False(Observation.Shows(Tree, ObservationKind.AxTree, "99"));
        Assert.True(Observation.Shows(List, ObservationKind.ElementList, "2"));
        Assert.Null(Observation.Shows(Observation.MissingText, ObservationKind.Missing, "2"));
        Assert.Equal("https://shop.example/cart", Observation.UrlOf(Tree, ObservationKind.AxTree));
        Assert.Equal("shop.example", SiteDetector.Detect(Tree, "https://shop.example/cart"));
        Assert.Equal("map", SiteDetector.Detect("RootWebArea 'OpenStreetMap'", "http://ec2-3-1.compute.amazonaws.com:3000/"));
        Assert.Equal("unknown", SiteDetector.Detect("[1] link 'x'", null));
    }
}
