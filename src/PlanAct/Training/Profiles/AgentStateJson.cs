using System.Text.Json;
using System.Text.Json.Nodes;
using PlanAct.Actions;
using PlanAct.IO;

namespace PlanAct.Training.Profiles;

/// <summary>
/// Agent states as JSON, the input of <c>planact prompt</c> (all values strings):
/// planner <c>{"task", "page"}</c>; executor <c>{"task", "plan", "rounds": [{"page", "action", "reasoning"?}], "page"}</c>;
/// dynamic executor the same with <c>"plan"</c> on each round; replanner <c>{"task", "plan", "actions": [...], "page", "plans"?: [...]}</c>.
/// An executor state may name <c>"element"</c>, the id the trained action acts on (training data only).
/// </summary>
public static class AgentStateJson
{
    /// <exception cref="InputException">The JSON is malformed or lacks what the role needs; the message names the field.</exception>
    public static AgentState Read(AgentRole role, string json, string source)
    {
        JsonObject state;
        try
        {
            state = JsonNode.Parse(json) as JsonObject ?? throw new InputException(new SourceLocation(source), "the state must be one JSON object");
        }
        catch (JsonException e)
        {
            throw new InputException(new SourceLocation(source, (int?)e.LineNumber + 1), $"malformed JSON: {e.Message}", e);
        }

        var reader = new Fields(source);
        var known = role switch
        {
            AgentRole.Planner => new[] { "task", "page" },
            AgentRole.Replanner => ["task", "plan", "actions", "page", "plans", "grammar"],
            _ => ["task", "plan", "rounds", "page", "element", "grammar"],
        };
        reader.OnlyKnown(state, known, "the state");
        var task = reader.Required(state, "task");
        var page = reader.Required(state, "page", allowEmpty: true);
        var grammarName = role == AgentRole.Planner ? null : reader.Optional(state, "grammar", "the state");
        var grammar = grammarName is null ? ActionGrammar.WebRl
            : ActionGrammars.TryParseName(grammarName, out var named) ? named
            : throw reader.Error($"\"grammar\" is \"{grammarName}\"; expected one of {ActionGrammars.Names}");
        switch (role)
        {
            case AgentRole.Planner:
                return new PlannerState(task, page);
            case AgentRole.Replanner:
                return new ReplannerState(task, reader.Required(state, "plan"), reader.Strings(state, "actions") ?? EquatableList<string>.Empty, page)
                {
                    Plans = reader.Strings(state, "plans"),
                    Grammar = grammar,
                };
            default:
                var dynamic = role == AgentRole.DynamicExecutor;
                var rounds = new List<ExecutorRound>();
                if (state["rounds"] is { } list)
                {
                    var items = list as JsonArray ?? throw reader.Error("\"rounds\" must be an array");
                    for (var i = 0; i < items.Count; i++)
                    {
                        var what = $"rounds[{i}]";
                        var round = items[i] as JsonObject ?? throw reader.Error($"{what} must be an object");
                        reader.OnlyKnown(round, dynamic ? ["page", "action", "reasoning", "plan"] : ["page", "action", "reasoning"], what);
                        rounds.Add(new ExecutorRound(
                            reader.Required(round, "page", what, allowEmpty: true),
                            reader.Required(round, "action", what),
                            reader.Optional(round, "reasoning", what),
                            dynamic ? reader.Required(round, "plan", what) : null));
                    }
                }

                return new ExecutorState(task, reader.Required(state, "plan"), rounds.ToEquatableList(), page, dynamic)
                {
                    TargetElement = reader.Optional(state, "element", "the state"),
                    Grammar = grammar,
                };
        }
    }

    /// <summary>The state as the JSON <see cref="Read"/> takes.</summary>
    public static JsonObject Write(AgentState state)
    {
        var json = new JsonObject { ["task"] = state.Task };
        switch (state)
        {
            case ExecutorState executor:
                json["plan"] = executor.Plan;
                json["rounds"] = new JsonArray([.. executor.Rounds.Select(r =>
                {
                    var round = new JsonObject { ["page"] = r.Page, ["action"] = r.Action };
                    if (r.Reasoning is not null)
                    {
                        round["reasoning"] = r.Reasoning;
                    }

                    if (executor.Dynamic)
                    {
                        round["plan"] = r.Plan ?? executor.Plan;
                    }

                    return (JsonNode)round;
                })]);
                if (executor.TargetElement is not null)
                {
                    json["element"] = executor.TargetElement;
                }

                if (executor.Grammar != ActionGrammar.WebRl)
                {
                    json["grammar"] = executor.Grammar.Name();
                }

                break;
            case ReplannerState replanner:
                json["plan"] = replanner.Plan;
                json["actions"] = new JsonArray([.. replanner.Actions.Select(a => (JsonNode)JsonValue.Create(a))]);
                if (replanner.Plans is { } plans)
                {
                    json["plans"] = new JsonArray([.. plans.Select(p => (JsonNode)JsonValue.Create(p))]);
                }

                if (replanner.Grammar != ActionGrammar.WebRl)
                {
                    json["grammar"] = replanner.Grammar.Name();
                }

                break;
        }

        json["page"] = state.Page;
        return json;
    }

    private sealed class Fields(string source)
    {
        public InputException Error(string reason) => new(new SourceLocation(source), reason);

        public void OnlyKnown(JsonObject node, string[] known, string what)
        {
            if (node.Select(p => p.Key).FirstOrDefault(k => !known.Contains(k)) is { } unknown)
            {
                throw Error($"{what} has an unknown field \"{unknown}\" (known: {string.Join(", ", known)})");
            }
        }

        public string Required(JsonObject node, string name, string what = "the state", bool allowEmpty = false) =>
            Optional(node, name, what) is { } value && (allowEmpty || value.Trim().Length > 0)
                ? value
                : throw Error($"{what} needs \"{name}\" as a non-empty string");

        public string? Optional(JsonObject node, string name, string what)
        {
            var value = node[name];
            return value is null ? null
                : value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>()
                : throw Error($"{what}: \"{name}\" must be a string");
        }

        public EquatableList<string>? Strings(JsonObject node, string name)
        {
            if (node[name] is not { } value)
            {
                return null;
            }

            var items = value as JsonArray ?? throw Error($"\"{name}\" must be an array of strings");
            return items.Select((item, i) => item?.GetValueKind() == JsonValueKind.String ? item.GetValue<string>() : throw Error($"{name}[{i}] must be a string")).ToEquatableList();
        }
    }
}
