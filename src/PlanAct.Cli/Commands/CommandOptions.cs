using System.CommandLine;
using PlanAct.IO;
using PlanAct.Training;
using PlanAct.Training.Profiles;

namespace PlanAct.Cli.Commands;

/// <summary>Options several commands share, defined once.</summary>
internal static class CommandOptions
{
    /// <param name="what">The pages cut.</param>
    /// <param name="fallback">The default; null: the prompt profile's budget holds (export, prompt).</param>
    public static Option<int?> MaxPageTokens(string what, int? fallback)
    {
        var option = new Option<int?>("--max-page-tokens")
        {
            Description = $"Cut {what} to this many tokens (o200k), at a tag or word boundary."
                + (fallback is null ? $" [default: the profile's budget ({PromptProfile.PlanActName}: {ExamplePageOptions.DefaultMaxPageTokens}; {PromptProfile.PlanAndActName}: none, as the reference)]" : ""),
        };
        if (fallback is { } tokens)
        {
            option.DefaultValueFactory = _ => tokens;
        }

        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() <= 0)
            {
                result.AddError("--max-page-tokens must be a positive number");
            }
        });
        return option;
    }

    /// <summary>
    /// <c>--replace-invalid-utf8</c>, on every command that reads trajectories: bytes that are not UTF-8 are read as
    /// U+FFFD, knowingly, instead of stopping the command at their file and line.
    /// </summary>
    /// <summary>The <c>--format</c> option that forces how trajectory files are read (told from their content without it).</summary>
    public static Option<Trajectories.TrajectoryFormat?> TrajectoryFormat() => new("--format")
    {
        Description = "Read every input file as this format instead of telling it from the content: jsonl (planact), sft (WebArena-Lite), adp (Agent Data Protocol), browsergym (Go-Browse step records), webvoyager (interact_messages.json).",
        HelpName = "jsonl|sft|adp|browsergym|webvoyager",
    };

    public static Option<bool> ReplaceInvalidUtf8() => new("--replace-invalid-utf8")
    {
        Description = "Read bytes of the trajectories that are not UTF-8 as U+FFFD (the replacement character) instead of stopping at their file and line.",
    };

    /// <summary>The prompt profile option: a built-in name or a profile file.</summary>
    public static Option<string> Profile(string what) => new("--profile")
    {
        Description = $"The prompt profile {what}: {string.Join(", ", PromptProfile.BuiltInNames)}, or a profile YAML file (see the README, \"Train and run with the same prompts\").",
        DefaultValueFactory = _ => PromptProfile.PlanActName,
    };

    /// <summary>Refuses an output that would overwrite one of the command's inputs (after links), before anything is read.</summary>
    /// <exception cref="CommandLineException">The output is an input, or lies in an input folder.</exception>
    public static void RefuseOutputOverInput(string output, params IEnumerable<string> inputs)
    {
        if (OutputPaths.OverwrittenInput(output, inputs) is { } input)
        {
            throw new CommandLineException($"--out {output} would overwrite the input {input}; write the output somewhere else");
        }
    }
}
