using System.Globalization;
using System.Net;
using System.Text;

namespace PlanAct.Pipeline.Report;

/// <summary>
/// Charts as inline SVG, drawn here so the report needs no script and no network: horizontal bars for named values and
/// a histogram for counts. Every chart is an <c>svg.chart</c> with one <c>rect.bar</c> per value.
/// </summary>
internal static class SvgChart
{
    private const int Width = 640;
    private const int BarHeight = 20;
    private const int LabelWidth = 230;
    private static readonly string[] Palette = ["#3b6ea5", "#d9822b", "#5a9e6f", "#b5495b", "#7d6bb3", "#8c8c3c"];

    /// <summary>One bar per (label, value), longest scale at the largest value; each bar shows its value as text.</summary>
    public static string Bars(string title, IReadOnlyList<(string Label, double Value)> data, Func<double, string>? format = null)
    {
        format ??= v => v.ToString("N0", CultureInfo.InvariantCulture);
        if (data.Count == 0)
        {
            return Empty(title);
        }

        var max = Math.Max(data.Max(d => d.Value), 1e-9);
        var height = (data.Count * (BarHeight + 6)) + 10;
        var svg = Open(title, height);
        for (var i = 0; i < data.Count; i++)
        {
            var (label, value) = data[i];
            var y = 5 + (i * (BarHeight + 6));
            var length = Math.Max(1, (Width - LabelWidth - 90) * value / max);
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{LabelWidth - 6}\" y=\"{y + 15}\" text-anchor=\"end\">{Escape(Cut(label, 34))}<title>{Escape(label)}</title></text>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar\" x=\"{LabelWidth}\" y=\"{y}\" width=\"{length:0.#}\" height=\"{BarHeight}\" fill=\"{Palette[i % Palette.Length]}\"><title>{Escape(label)}: {Escape(format(value))}</title></rect>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{LabelWidth + length + 5:0.#}\" y=\"{y + 15}\">{Escape(format(value))}</text>");
        }

        return svg.Append("</svg></figure>").ToString();
    }

    /// <summary>Counts of <paramref name="values"/> in up to <paramref name="bins"/> equal ranges (one per value when they are few).</summary>
    public static string Histogram(string title, IReadOnlyList<double> values, string unit, int bins = 20)
    {
        if (values.Count == 0)
        {
            return Empty(title);
        }

        // Whole numbers over a short range get one bar each; anything else is cut into equal ranges.
        var min = values.Min();
        var max = values.Max();
        var perValue = values.All(v => v == Math.Floor(v)) && max - min + 1 <= bins;
        var count = perValue ? (int)(max - min + 1) : Math.Min(bins, values.Distinct().Count());
        var width = perValue ? 1 : (max - min) / count;
        var counts = new int[count];
        foreach (var value in values)
        {
            var bin = width == 0 ? 0 : (int)Math.Floor((value - min) / width);
            counts[Math.Clamp(bin, 0, count - 1)]++;
        }

        const int plotHeight = 160;
        var barWidth = (Width - 60.0) / count;
        var top = counts.Max();
        var svg = Open(title, plotHeight + 50);
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"40\" y1=\"{plotHeight + 10}\" x2=\"{Width - 10}\" y2=\"{plotHeight + 10}\" stroke=\"#999\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"36\" y=\"20\" text-anchor=\"end\">{top}</text>");
        for (var i = 0; i < count; i++)
        {
            var from = min + (i * width);
            var to = perValue ? from : from + width;
            var range = from == to ? Tick(from, width) : $"{Tick(from, width)}–{Tick(to, width)}";
            var height = plotHeight * counts[i] / (double)top;
            var x = 45 + (i * barWidth);
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar\" x=\"{x:0.#}\" y=\"{plotHeight + 10 - height:0.#}\" width=\"{Math.Max(1, barWidth - 2):0.#}\" height=\"{height:0.#}\" fill=\"{Palette[0]}\"><title>{Escape(range)} {Escape(unit)}: {counts[i]}</title></rect>");
            if (count <= 12 || i % (count / 6 + 1) == 0)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + (barWidth / 2):0.#}\" y=\"{plotHeight + 26}\" text-anchor=\"middle\">{Escape(Tick(from, width))}</text>");
            }
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"{plotHeight + 44}\" text-anchor=\"middle\">{Escape(unit)} (n = {values.Count})</text>");
        return svg.Append("</svg></figure>").ToString();
    }

    private static StringBuilder Open(string title, int height) =>
        new StringBuilder().Append(CultureInfo.InvariantCulture, $"<figure><figcaption>{Escape(title)}</figcaption><svg class=\"chart\" role=\"img\" aria-label=\"{Escape(title)}\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" xmlns=\"http://www.w3.org/2000/svg\">");

    private static string Empty(string title) => $"<p class=\"empty\">{Escape(title)}: nothing to show yet.</p>";

    /// <summary>
    /// An axis label of a chart whose labels are <paramref name="step"/> apart: enough decimals that neighbours differ
    /// (one more than the step's first significant digit needs, trailing zeros dropped), none for steps of ten or more.
    /// </summary>
    public static string Tick(double value, double step)
    {
        // Labels of a single value (no step) keep its own two significant digits.
        var scale = step > 0 ? step : Math.Abs(value) / 10;
        var decimals = scale > 0 ? Math.Clamp((int)Math.Ceiling(-Math.Log10(scale)) + 1, 0, 6) : 0;
        return value.ToString(decimals == 0 ? "0" : "0." + new string('#', decimals), CultureInfo.InvariantCulture);
    }

    private static string Cut(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";

    public static string Escape(string text) => WebUtility.HtmlEncode(text);
}
