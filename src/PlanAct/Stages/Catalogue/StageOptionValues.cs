using System.Globalization;
using PlanAct.Pipeline;

namespace PlanAct.Stages.Catalogue;

/// <summary>
/// A stage's option values, read from flags or from a pipeline's <c>options:</c> against the stage's
/// <see cref="StageOption"/>s: what is not given holds its default. Values are checked where they are read, so here
/// they are of the option's type and in its range.
/// </summary>
internal sealed class StageOptionValues(IReadOnlyList<StageOption> options, IReadOnlyDictionary<string, object?> given)
{
    public int Int(string key) => (int)Value(key)!;

    public int? IntOrNull(string key) => (int?)Value(key);

    public double Number(string key) => (double)Value(key)!;

    public bool Bool(string key) => Value(key) is true;

    /// <summary>A choice, a path or null.</summary>
    public string? Text(string key) => (string?)Value(key);

    /// <summary>Paths or names; null when not given and without a default.</summary>
    public IReadOnlyList<string>? List(string key) => (IReadOnlyList<string>?)Value(key);

    /// <summary>Every option with its value (<c>key=value</c>, lists comma-separated), for a fingerprint of the settings.</summary>
    public string Describe() => string.Join(" ", options.Select(o => Value(o.Key) switch
    {
        IReadOnlyList<string> list => $"{o.Key}={string.Join(",", list)}",
        var value => string.Create(CultureInfo.InvariantCulture, $"{o.Key}={value}"),
    }));

    /// <summary>The files the options name (paths and lists of paths), whose contents are part of the settings.</summary>
    public IEnumerable<string> Files() => options.SelectMany(o => (o.Type, Value(o.Key)) switch
    {
        (StageOptionType.Path, string path) => [path],
        (StageOptionType.Paths, IReadOnlyList<string> paths) => paths,
        _ => (IEnumerable<string>)[],
    });

    private object? Value(string key)
    {
        var option = options.FirstOrDefault(o => o.Key == key) ?? throw new ArgumentException($"the stage has no option {key}", nameof(key));
        return given.TryGetValue(key, out var value) && value is not null ? value : option.Default;
    }

    /// <summary>Reads a pipeline stage's options: unknown keys, values of the wrong type or range and missing required ones are errors at the file.</summary>
    public static StageOptionValues Read(StageOptions pipeline, IReadOnlyList<StageOption> options)
    {
        pipeline.OnlyThese([.. options.Select(o => o.Key)]);
        var given = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var option in options)
        {
            given[option.Key] = option.Type switch
            {
                StageOptionType.Int => pipeline.String(option.Key) is null ? null : pipeline.Int(option.Key, 0, option.Min),
                StageOptionType.Number => pipeline.String(option.Key) is null ? null : pipeline.Double(option.Key, 0, option.Above, option.AtMost),
                StageOptionType.Bool => pipeline.String(option.Key) is null ? null : pipeline.Bool(option.Key, false),
                StageOptionType.Choice => pipeline.String(option.Key) is { } choice && !option.Accepts(choice)
                    ? throw pipeline.Error(option.Key, $"\"{choice}\" is not {option.Requirement}")
                    : pipeline.String(option.Key),
                StageOptionType.Path => pipeline.PathOf(option.Key),
                StageOptionType.Paths => pipeline.PathsOf(option.Key),
                _ => pipeline.Strings(option.Key),
            };
            if (option.Required && given[option.Key] is null)
            {
                throw pipeline.Error(option.Key, option.RequiredBecause!);
            }
        }

        return new StageOptionValues(options, given);
    }
}
