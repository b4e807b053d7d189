using System.Globalization;

namespace PlanAct.Bench;

/// <summary>The benchmarks' options: <c>--name value</c> pairs.</summary>
internal static class CommandLine
{
    public static IEnumerable<(string Option, string Value)> Pairs(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i += 2)
        {
            yield return (args[i], i + 1 < args.Count ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value"));
        }
    }

    /// <summary>Whether the flag <paramref name="name"/> (no value) is given, and the other arguments.</summary>
    public static (bool Given, IReadOnlyList<string> Others) Flag(IReadOnlyList<string> args, string name) =>
        (args.Contains(name, StringComparer.Ordinal), [.. args.Where(a => a != name)]);

    public static int Positive(string option, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{option} expects a positive whole number, got \"{value}\"");
}
