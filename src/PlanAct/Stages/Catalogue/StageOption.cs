using System.Globalization;

namespace PlanAct.Stages.Catalogue;

/// <summary>What a stage option holds, which decides how a flag and a pipeline value are read.</summary>
internal enum StageOptionType
{
    /// <summary>A whole number of at least <see cref="StageOption.Min"/>.</summary>
    Int,

    /// <summary>A number in <see cref="StageOption.Above"/> (exclusive) .. <see cref="StageOption.AtMost"/>.</summary>
    Number,

    /// <summary>A switch: a flag without a value, <c>true</c>/<c>false</c> in a pipeline.</summary>
    Bool,

    /// <summary>One of <see cref="StageOption.Choices"/>.</summary>
    Choice,

    /// <summary>A file (relative to the pipeline file in a pipeline).</summary>
    Path,

    /// <summary>Files: a repeated flag, a YAML list (or one value).</summary>
    Paths,

    /// <summary>Names: comma-separated on the command line, a YAML list (or one value) in a pipeline.</summary>
    List,
}

/// <summary>
/// One option of a stage, defined once for both surfaces: the pipeline key (<c>max_page_tokens</c>), the flag made
/// of it (<c>--max-page-tokens</c>), and the type, default, range and help both use.
/// </summary>
internal sealed record StageOption(string Key, StageOptionType Type, string Help)
{
    /// <summary>The value when the option is not given (an int, double, bool or string), or null.</summary>
    public object? Default { get; init; }

    /// <summary>A default that is no fixed value, in words (e.g. "3 × count / per_request"); help shows it as a default.</summary>
    public string? DefaultText { get; init; }

    /// <summary>The least whole number an <see cref="StageOptionType.Int"/> takes.</summary>
    public int Min { get; init; } = 1;

    public double Above { get; init; }

    public double AtMost { get; init; } = double.MaxValue;

    public IReadOnlyList<string> Choices { get; init; } = [];

    /// <summary>When set, the option is required and this says what to give (the pipeline's error when it is missing).</summary>
    public string? RequiredBecause { get; init; }

    /// <summary>
    /// The value the option takes under <c>planact batch prepare|submit</c>, where it is not offered (act's cot: batch
    /// requests are CoT requests); null: offered there too.
    /// </summary>
    public object? UnderBatch { get; init; }

    public bool Required => RequiredBecause is not null;

    /// <summary>The command-line flag: the key with dashes.</summary>
    public string Flag => "--" + Key.Replace('_', '-');

    /// <summary>The default as help shows it, or null when there is none.</summary>
    public string? DefaultShown => DefaultText ?? Default switch
    {
        null => null,
        bool flag => flag ? "true" : "false",
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        var value => value.ToString(),
    };

    /// <summary>What a value must be, in words, or null when the option's type says it all.</summary>
    public string? Requirement => Type switch
    {
        StageOptionType.Int when Min == 1 => "a positive number",
        StageOptionType.Int when Min > int.MinValue => string.Create(CultureInfo.InvariantCulture, $"a whole number of at least {Min}"),
        StageOptionType.Number => string.Create(CultureInfo.InvariantCulture, $"a number more than {Above} and at most {AtMost}"),
        StageOptionType.Choice => string.Join(" or ", Choices),
        _ => null,
    };

    /// <summary>Whether a value (of the option's type) is in its range.</summary>
    public bool Accepts(object? value) => value switch
    {
        null => true,
        int number => number >= Min,
        double number => number > Above && number <= AtMost,
        string text when Type == StageOptionType.Choice => Choices.Contains(text, StringComparer.Ordinal),
        _ => true,
    };
}
