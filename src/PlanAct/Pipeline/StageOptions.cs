using System.Globalization;
using PlanAct.IO;

namespace PlanAct.Pipeline;

/// <summary>
/// The <c>options:</c> of one stage in a pipeline file, read by that stage's node. Values are checked where they are
/// read; <see cref="OnlyThese"/> makes an unknown key an error, as everywhere else in our YAML.
/// </summary>
internal sealed class StageOptions(string file, string stage, IReadOnlyDictionary<string, object?>? values)
{
    private readonly IReadOnlyDictionary<string, object?> _values = values ?? new Dictionary<string, object?>();

    public string Stage { get; } = stage;

    /// <summary>Throws when a key is not one of <paramref name="known"/>.</summary>
    public StageOptions OnlyThese(params string[] known)
    {
        foreach (var key in _values.Keys)
        {
            if (!known.Contains(key, StringComparer.Ordinal))
            {
                throw Error(key, $"unknown option{(known.Length > 0 ? $" (known: {string.Join(", ", known)})" : "; this stage takes none")}");
            }
        }

        return this;
    }

    public int Int(string key, int fallback, int min = 1) =>
        _values.TryGetValue(key, out var value) && value is not null
            ? int.TryParse(value.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number >= min
                ? number
                : throw Error(key, $"\"{value}\" is not a whole number of at least {min}")
            : fallback;

    /// <summary>A number in the range (<paramref name="above"/>, <paramref name="atMost"/>].</summary>
    public double Double(string key, double fallback, double above, double atMost) =>
        _values.TryGetValue(key, out var value) && value is not null
            ? double.TryParse(value.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number > above && number <= atMost
                ? number
                : throw Error(key, string.Create(CultureInfo.InvariantCulture, $"\"{value}\" is not a number more than {above} and at most {atMost}"))
            : fallback;

    public bool Bool(string key, bool fallback) =>
        _values.TryGetValue(key, out var value) && value is not null
            ? bool.TryParse(value.ToString(), out var flag) ? flag : throw Error(key, $"\"{value}\" is not true or false")
            : fallback;

    public string? String(string key) =>
        _values.TryGetValue(key, out var value) && value is not null
            ? value as string ?? throw Error(key, "expected a single value")
            : null;

    /// <summary>A path option, relative to the pipeline file.</summary>
    public string? PathOf(string key) => String(key) is { } relative ? Resolve(relative) : null;

    /// <summary>A list of paths, relative to the pipeline file; a single path is a list of one.</summary>
    public IReadOnlyList<string>? PathsOf(string key) => Strings(key)?.Select(Resolve).ToList();

    /// <summary>A list of values; a single value is a list of one.</summary>
    public IReadOnlyList<string>? Strings(string key) => _values.TryGetValue(key, out var value) ? value switch
    {
        null => null,
        string one => [one],
        IEnumerable<object?> many => [.. many.Select(v => v as string ?? throw Error(key, "expected a list of values"))],
        _ => throw Error(key, "expected a value or a list of values"),
    } : null;

    private string Resolve(string relative) => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, relative));

    public InputException Error(string key, string reason) => new(new SourceLocation(file), $"stages.{Stage}.options.{key}: {reason}");
}
