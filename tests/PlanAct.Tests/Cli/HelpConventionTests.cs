using System.CommandLine;
using System.CommandLine.Help;
using System.Text.RegularExpressions;
using PlanAct.Cli;

namespace PlanAct.Tests.Cli;

/// <summary>One convention for every command's help: lower-case values, required options first, defaults as [default: …], the same checks.</summary>
public partial class HelpConventionTests
{
    private static IEnumerable<(string[] Path, Command Command)> Commands(Command command, string[] path)
    {
        yield return (path, command);
        foreach (var sub in command.Subcommands)
        {
            foreach (var found in Commands(sub, [.. path, sub.Name]))
            {
                yield return found;
            }
        }
    }

    private static readonly IReadOnlyList<(string[] Path, Command Command)> All = [.. Commands(Program.BuildRoot(), [])];

    private static string Help(string[] path)
    {
        var output = new StringWriter();
        Program.BuildRoot().Parse([.. path, "--help"]).Invoke(new InvocationConfiguration { Output = output });
        return output.ToString();
    }

    [Fact]
    public void Every_command_puts_required_options_first_and_shows_defaults_one_way()
    {
        foreach (var (path, command) in All)
        {
            var name = string.Join(' ', ["planact", .. path]);
            var options = command.Options.Where(o => o is not HelpOption and not VersionOption).ToList();
            var firstOptional = options.FindIndex(o => !o.Required);
            Assert.True(firstOptional < 0 || options.Skip(firstOptional).All(o => !o.Required), $"{name}: a required option comes after an optional one");
            foreach (var text in options.Select(o => o.Description).Concat(command.Arguments.Select(a => a.Description)).OfType<string>())
            {
                Assert.False(ProseDefault().IsMatch(text), $"{name}: a default in prose, not as [default: …]: {text}");
            }
        }
    }

    [Fact]
    public void Help_shows_values_in_lower_case_and_an_optional_argument_as_optional()
    {
        foreach (var (path, _) in All)
        {
            var help = Help(path);
            Assert.False(CapitalisedValues().IsMatch(help), $"planact {string.Join(' ', path)}: {CapitalisedValues().Match(help).Value}");
        }

        Assert.Contains("<grounded|cot>", Help(["annotate"]), StringComparison.Ordinal);
        Assert.Contains("[<pipeline>]", Help(["run"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Max_page_tokens_is_checked_the_same_on_every_command()
    {
        var commands = All.Where(c => c.Command.Options.Any(o => o.Name == "--max-page-tokens")).ToList();
        Assert.True(commands.Count >= 12, $"{commands.Count} commands take --max-page-tokens");
        foreach (var (path, _) in commands)
        {
            var parse = Program.BuildRoot().Parse([.. path, "--max-page-tokens", "-1"]);
            Assert.Contains(parse.Errors, e => e.Message == "--max-page-tokens must be a positive number");
        }
    }

    [GeneratedRegex(@"\(default|Default:|\bdefault \d")]
    private static partial Regex ProseDefault();

    [GeneratedRegex(@"<[A-Z][a-z]+(\|[A-Z][a-z]+)+>")]
    private static partial Regex CapitalisedValues();
}
