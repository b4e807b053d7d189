using System.Xml.Linq;
using PlanAct.Pipeline.Report;

namespace PlanAct.Tests.Pipeline;

public class SvgChartTests
{
    private static XElement Svg(string figure) => XElement.Parse(figure).Elements().Single(e => e.Name.LocalName == "svg");

    private static List<XElement> Bars(string figure) => [.. Svg(figure).Descendants().Where(e => e.Name.LocalName == "rect" && (string?)e.Attribute("class") == "bar")];

    [Fact]
    public void Bars_draw_one_bar_per_value_scaled_to_the_largest_and_escape_labels()
    {
        var chart = SvgChart.Bars("sites", [("<script>", 4), ("b & c", 2), ("zero", 0)]);

        var bars = Bars(chart);

        Assert.Equal(3, bars.Count);
        var widths = bars.Select(b => double.Parse((string)b.Attribute("width")!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(widths[0] / 2, widths[1], 0.5);
        Assert.Equal(1, widths[2]);
        Assert.DoesNotContain("<script>", chart, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", chart, StringComparison.Ordinal);
    }

    [Fact]
    public void A_histogram_of_few_whole_numbers_has_one_bar_per_value_including_empty_ones()
    {
        var chart = SvgChart.Histogram("steps", [2, 2, 3, 5], "steps");

        var bars = Bars(chart);

        Assert.Equal(4, bars.Count);
        Assert.Equal("0", (string)bars[2].Attribute("height")!);
        Assert.Contains("n = 4", chart, StringComparison.Ordinal);
    }

    [Fact]
    public void A_histogram_of_spread_values_uses_equal_ranges_and_puts_the_maximum_in_the_last()
    {
        var values = Enumerable.Range(0, 1000).Select(i => i * 1.5).ToList();

        var bars = Bars(SvgChart.Histogram("tokens", values, "tokens", bins: 10));

        Assert.Equal(10, bars.Count);
        Assert.All(bars, b => Assert.NotEqual("0", (string)b.Attribute("height")!));
    }

    [Fact]
    public void A_histogram_of_one_repeated_value_is_one_bar()
    {
        Assert.Single(Bars(SvgChart.Histogram("latency", [0.25, 0.25, 0.25], "seconds")));
    }

    [Fact]
    public void Empty_data_says_so_instead_of_drawing()
    {
        Assert.Contains("nothing to show yet", SvgChart.Bars("x", []), StringComparison.Ordinal);
        Assert.Contains("nothing to show yet", SvgChart.Histogram("x", [], "u"), StringComparison.Ordinal);
    }
}
