using System.CommandLine;
using System.Globalization;
using PlanAct.Stages;
using PlanAct.Teacher;

namespace PlanAct.Cli.Commands;

/// <summary>
/// <c>--shard i/n|auto</c>: this machine's part of the items, by a stable hash of their ids; and <c>--limits</c>: whether
/// the rate limits are the whole job's (shared by the shards) or each shard's.
/// </summary>
internal static class ShardFlags
{
    /// <summary>The Kubernetes Indexed Job's 0-based index of this pod.</summary>
    public const string IndexVariable = "JOB_COMPLETION_INDEX";

    /// <summary>The number of shards, set in the Job's pod template (it mirrors <c>spec.completions</c>).</summary>
    public const string CountVariable = "PLANACT_SHARDS";

    /// <summary>The number of shards when <see cref="CountVariable"/> is not set.</summary>
    public const string JobCompletionsVariable = "JOB_COMPLETIONS";

    public static Option<string?> Shard { get; } = new("--shard")
    {
        Description = "Run only part i of n of the items (e.g. 2/4), chosen by a stable hash of each item id; `planact merge` joins the parts. "
            + $"auto: the part of a Kubernetes Indexed Job ({IndexVariable} + 1 of {CountVariable}, or of {JobCompletionsVariable}).",
    };

    public static Option<string> Limits { get; } = new("--limits")
    {
        Description = "With --shard: shared divides --rpm and --tpm by the number of shards (a provider's limits are per organisation); per-shard applies them to each shard as given. [default: shared]",
        DefaultValueFactory = _ => "shared",
    };

    static ShardFlags() => Limits.AcceptOnlyFromAmong("shared", "per-shard");

    /// <summary>Adds the two flags to a command that can run a shard.</summary>
    public static void AddTo(Command command)
    {
        command.Options.Add(Shard);
        command.Options.Add(Limits);
    }

    /// <summary>The command line's shard; null when it runs everything (or has no --shard).</summary>
    public static Shard? Of(ParseResult parse) => parse.GetResult(Shard) is null ? null : Parse(parse.GetValue(Shard));

    /// <summary>Reads <c>i/n</c>, or <c>auto</c> from the Indexed Job's environment.</summary>
    public static Shard? Parse(string? text)
    {
        if (text is null)
        {
            return null;
        }

        if (text == "auto")
        {
            var environment = CliConsole.Current.Environment;
            var count = environment(CountVariable) ?? environment(JobCompletionsVariable);
            if (!int.TryParse(environment(IndexVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var index) || count is null)
            {
                throw new CommandLineException($"--shard auto needs {IndexVariable} (set by a Kubernetes Indexed Job) and {CountVariable} or {JobCompletionsVariable}");
            }

            return Stages.Shard.TryParse($"{index + 1}/{count}")
                ?? throw new CommandLineException($"--shard auto: {IndexVariable}={index} is not a part of {count} shards");
        }

        return Stages.Shard.TryParse(text) ?? throw new CommandLineException($"--shard \"{text}\" is not i/n with 1 <= i <= n, nor auto");
    }

    /// <summary>The teacher options of this shard: its share of the rate limits unless --limits per-shard.</summary>
    public static TeacherOptions ShareLimits(ParseResult parse, TeacherOptions options) =>
        Of(parse) is { Count: > 1 } shard && parse.GetValue(Limits) == "shared"
            ? options with { Limits = options.Limits.SharedAmong(shard.Count) }
            : options;
}
