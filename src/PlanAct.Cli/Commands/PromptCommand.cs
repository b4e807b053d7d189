using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using PlanAct.Export;
using PlanAct.Training.Profiles;

namespace PlanAct.Cli.Commands;

/// <summary>
/// The inference side of a prompt profile: <c>planact prompt</c> builds the messages a trained model must be given from
/// an agent's state, <c>planact parse</c> reads its completion. Both come from the code that lays out the training data.
/// </summary>
internal static class PromptCommand
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly string[] RoleNames = [.. AgentRoles.All.Select(AgentRoles.Name)];

    public static Command BuildPrompt()
    {
        var role = new Argument<string>("role") { Description = $"The model to prompt: {string.Join(", ", RoleNames)}." };
        role.AcceptOnlyFromAmong(RoleNames);
        var profile = CommandOptions.Profile("the model was trained with");
        var state = new Option<string>("--state")
        {
            Description = "The agent's state as JSON (a file, or - for standard input): planner {task, page}; executor {task, plan, rounds: [{page, action, reasoning?}], page}; "
                + "dynamic-executor the same with plan on each round; replanner {task, plan, actions: [...], page, plans?: [...]}. Pages are raw observation HTML.",
            DefaultValueFactory = _ => "-",
        };
        var maxPageTokens = CommandOptions.MaxPageTokens("the current page", fallback: null);
        var command = new Command("prompt", "Print the messages a model trained under a profile must be given for an agent's state, as {\"messages\": [{\"role\", \"content\"}, …]}.\n\nExample:\n  planact prompt executor --profile plan-and-act --state samples/agent-states/executor.json")
        {
            role, profile, state, maxPageTokens,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(async () =>
        {
            var agentRole = AgentRoles.Parse(parse.GetValue(role))!.Value;
            var loaded = PromptProfile.Load(parse.GetValue(profile)!);
            var statePath = parse.GetValue(state)!;
            var json = statePath == "-" ? await CliConsole.Current.In.ReadToEndAsync(ct) : await ReadFileAsync(statePath, ct);
            var agentState = AgentStateJson.Read(agentRole, json, statePath == "-" ? "standard input" : statePath);
            var prompt = loaded.Prompt(agentState, new PromptSettings { MaxPageTokens = parse.GetValue(maxPageTokens) });
            // The messages as they are: no training weights in a prompt.
            CliConsole.Current.Out.WriteLine(new OpenAiChatFormatter(trainEarlierTurns: true).FormatLine(prompt.Messages));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    public static Command BuildParse()
    {
        string[] kinds = ["plan", "action", .. RoleNames];
        var kind = new Argument<string>("kind") { Description = "What the completion answers: plan (the planner's layout), action (the executor's), or a role by name." };
        kind.AcceptOnlyFromAmong(kinds);
        var profile = CommandOptions.Profile("the model was trained with");
        var command = new Command("parse", "Read a model's completion from standard input and print {\"reasoning\", \"plan\"} or {\"reasoning\", \"action\"} (the action printed canonically); exit 3 when a tag is missing or the plan or action cannot be read.\n\nExample:\n  planact parse action --profile plan-and-act < samples/agent-states/executor.completion.txt")
        {
            kind, profile,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(async () =>
        {
            var name = parse.GetValue(kind)!;
            var agentRole = name switch
            {
                "plan" => AgentRole.Planner,
                "action" => AgentRole.Executor,
                _ => AgentRoles.Parse(name)!.Value,
            };
            var loaded = PromptProfile.Load(parse.GetValue(profile)!);
            var completion = await CliConsole.Current.In.ReadToEndAsync(ct);
            ParsedAnswer answer;
            try
            {
                answer = loaded.Parse(agentRole, completion);
            }
            catch (AnswerFormatException e)
            {
                await CliConsole.Current.Error.WriteLineAsync($"planact: error: {e.Message}");
                return ExitCodes.BadInput;
            }

            var output = new JsonObject
            {
                ["reasoning"] = answer.Reasoning,
                [AgentRoles.AnswersWithPlan(agentRole) ? "plan" : "action"] = answer.Answer,
            };
            CliConsole.Current.Out.WriteLine(output.ToJsonString(Relaxed));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static async Task<string> ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IO.InputException(new IO.SourceLocation(path), $"cannot read the state: {e.Message}", e);
        }
    }
}
