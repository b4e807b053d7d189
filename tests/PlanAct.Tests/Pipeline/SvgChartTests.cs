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

    [Theory]
    [InlineData(3, 1, "3")]
    [InlineData(0.25, 0.05, "0.25")]
    [InlineData(0.15, 0.15, "0.15")]
    [InlineData(0.1234, 0.1, "0.12")]
    [InlineData(0.0031, 0.0002, "0.0031")]
    [InlineData(0.003, 0, "0.003")]
    [InlineData(0.25, 0, "0.25")]
    [InlineData(1234.5, 150, "1235")]
    [InlineData(7.5, 2.5, "7.5")]
    [InlineData(0, 0, "0")]
    public void Tick_labels_have_the_decimals_their_step_needs(double value, double step, string label) =>
        Assert.Equal(label, SvgChart.Tick(value, step));

    [Theory]
    [InlineData(3, "ms", "3 ms")]
    [InlineData(999, "ms", "999 ms")]
    [InlineData(250, "ms", "250 ms")]
    [InlineData(1_000, "s", "1 s")]
    [InlineData(12_345, "s", "12.3 s")]
    [InlineData(119_000, "s", "119 s")]
    [InlineData(150_000, "min", "2.5 min")]
    public void Durations_are_charted_in_the_unit_their_largest_value_reads_well_in(double maxMilliseconds, string unit, string text)
    {
        var scale = DurationScale.For(maxMilliseconds);

        Assert.Equal(unit, scale.Unit);
        Assert.Equal(text, scale.Format(maxMilliseconds));
    }

    [Fact]
    public void Latency_histograms_label_loopback_milliseconds_and_close_seconds_apart()
    {
        static List<string> Labels(string chart) =>
            [.. Svg(chart).Elements().Where(e => e.Name.LocalName == "text" && (string?)e.Attribute("text-anchor") == "middle").Select(e => e.Value)];
        string Chart(double[] milliseconds)
        {
            var scale = DurationScale.For(milliseconds.Max());
            return SvgChart.Histogram("latency", [.. milliseconds.Select(scale.Of)], $"{scale.Name} per answer", bins: 4);
        }

        Assert.Equal(["2", "3", "4", "5", "milliseconds per answer (n = 6)"], Labels(Chart([2, 3, 3, 4, 5, 5])));
        Assert.Equal(["1.2", "1.275", "1.35", "1.425", "seconds per answer (n = 5)"], Labels(Chart([1_200, 1_250, 1_300, 1_400, 1_500])));
    }
}
