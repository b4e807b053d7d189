using System.Globalization;

namespace PlanAct.Pipeline.Report;

/// <summary>
/// The unit durations are charted in, chosen from the largest of them so that small ones do not all read 0: milliseconds
/// below a second, seconds below two minutes, minutes beyond.
/// </summary>
internal sealed record DurationScale(string Unit, string Name, double Milliseconds)
{
    public static DurationScale For(double maxMilliseconds) =>
        maxMilliseconds < 1_000 ? new("ms", "milliseconds", 1)
        : maxMilliseconds < 120_000 ? new("s", "seconds", 1_000)
        : new("min", "minutes", 60_000);

    /// <summary>A duration in this unit.</summary>
    public double Of(double milliseconds) => milliseconds / Milliseconds;

    /// <summary>A duration as text in this unit, with three significant digits at most: "3 ms", "0.25 s", "12.5 s", "4.2 min".</summary>
    public string Format(double milliseconds)
    {
        var value = Of(milliseconds);
        var format = Math.Abs(value) >= 100 ? "0" : Math.Abs(value) >= 10 ? "0.#" : "0.##";
        return value.ToString(format, CultureInfo.InvariantCulture) + " " + Unit;
    }
}
