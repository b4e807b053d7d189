using System.CommandLine;
using PlanAct.Stages.Catalogue;

namespace PlanAct.Cli.Commands;

/// <summary>A stage option as a flag: made from its <see cref="StageOption"/>, with its type, default, range and help.</summary>
internal sealed class StageOptionFlag
{
    private readonly Func<ParseResult, object?> _read;

    private StageOptionFlag(StageOption spec, Option option, Func<ParseResult, object?> read)
    {
        Spec = spec;
        Option = option;
        _read = read;
        option.Description = spec.Help + (spec.DefaultText is { } text ? $" [default: {text}]" : "");
        option.Required = spec.Required;
    }

    public StageOption Spec { get; }

    public Option Option { get; }

    /// <summary>The value given, or null (the option's default holds).</summary>
    public object? Read(ParseResult parse) => _read(parse);

    public static StageOptionFlag Of(StageOption spec) => spec.Type switch
    {
        StageOptionType.Int when spec.Default is int fallback => Checked(spec, new Option<int>(spec.Flag) { DefaultValueFactory = _ => fallback }),
        StageOptionType.Int => Checked(spec, new Option<int?>(spec.Flag)),
        StageOptionType.Number => Checked(spec, new Option<double>(spec.Flag) { DefaultValueFactory = _ => (double)spec.Default! }),
        StageOptionType.Bool => Checked(spec, new Option<bool>(spec.Flag)),
        StageOptionType.Choice => Checked(spec, new Option<string>(spec.Flag) { HelpName = string.Join('|', spec.Choices), DefaultValueFactory = _ => (string)spec.Default! }),
        StageOptionType.Paths => Checked(spec, new Option<string[]>(spec.Flag), paths => paths is { Length: > 0 } ? paths : null),
        StageOptionType.List => Checked<string?>(spec, new Option<string?>(spec.Flag), text => text?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)),
        _ => Checked<string?>(spec, new Option<string?>(spec.Flag)),
    };

    /// <summary>The flag with the option's range check, reading its value as the option holds it.</summary>
    private static StageOptionFlag Checked<T>(StageOption spec, Option<T> option, Func<T?, object?>? convert = null)
    {
        option.Validators.Add(result =>
        {
            if (!spec.Accepts(result.GetValueOrDefault<T>()))
            {
                result.AddError($"{spec.Flag} must be {spec.Requirement}");
            }
        });
        return new StageOptionFlag(spec, option, parse => convert is null ? parse.GetValue(option) : convert(parse.GetValue(option)));
    }
}
