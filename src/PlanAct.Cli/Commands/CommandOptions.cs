using System.CommandLine;
using PlanAct.Training;

namespace PlanAct.Cli.Commands;

/// <summary>Options several commands share, defined once.</summary>
internal static class CommandOptions
{
    public static Option<int> MaxPageTokens(string what)
    {
        var option = new Option<int>("--max-page-tokens")
        {
            Description = $"Cut {what} to this many tokens (o200k), at a tag or word boundary.",
            DefaultValueFactory = _ => ExamplePageOptions.DefaultMaxPageTokens,
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() <= 0)
            {
                result.AddError("--max-page-tokens must be a positive number");
            }
        });
        return option;
    }
}
