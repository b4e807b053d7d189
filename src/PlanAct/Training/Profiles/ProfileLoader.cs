using System.Globalization;
using PlanAct.IO;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PlanAct.Training.Profiles;

/// <summary>
/// Reads a profile file: YAML naming, per role, its template files (relative to the YAML) and its settings. Every
/// mistake is an <see cref="InputException"/> at its file and line: an unknown key or value, a missing role or turn, a
/// placeholder the turn does not offer.
/// </summary>
internal static class ProfileLoader
{
    private static readonly string[] SystemSlots = ["task"];
    private static readonly string[] ExecutorSystemSlots = ["task", "plan", "actions", "page_form"];
    private static readonly string[] PlannerTurnSlots = ["task", "page"];
    private static readonly string[] ExecutorTurnSlots = ["task", "plan", "page", "round"];
    private static readonly string[] ReplannerTurnSlots = ["task", "plan", "page", "round", "actions", "last_action"];
    private static readonly string[] ActionSlots = ["number", "index", "action", "numbered"];

    private static readonly Dictionary<AgentRole, string> RoleKeys = new()
    {
        [AgentRole.Planner] = "planner",
        [AgentRole.Executor] = "executor",
        [AgentRole.Replanner] = "replanner",
        [AgentRole.DynamicExecutor] = "dynamic_executor",
    };

    /// <param name="source">The profile file's name in messages.</param>
    /// <param name="text">The YAML.</param>
    /// <param name="readTemplate">Reads a template named in the YAML: its text and the name it goes by in messages.</param>
    /// <param name="builtIn">The profile ships with planact.</param>
    public static PromptProfile Load(string source, string text, Func<string, (string Text, string Source)> readTemplate, bool builtIn = false)
    {
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            root = stream.Documents.Count == 1 && stream.Documents[0].RootNode is YamlMappingNode mapping
                ? mapping
                : throw new InputException(new SourceLocation(source, 1), "a profile is one YAML mapping with name, planner, executor, replanner and dynamic_executor");
        }
        catch (YamlException e)
        {
            throw Yaml.Error(e, source, "not a valid profile");
        }

        var reader = new Reader(source, readTemplate);
        reader.OnlyKeys(root, ["name", "description", .. RoleKeys.Values]);
        var name = reader.String(root, "name") ?? throw reader.Error(root, "missing \"name\"");
        var layouts = RoleKeys.ToDictionary(r => r.Key, r => reader.Role(r.Key, reader.Mapping(root, r.Value) ?? throw reader.Error(root, $"missing the role \"{r.Value}\"")));
        return new PromptProfile(name, reader.String(root, "description") ?? "", source, layouts) { IsBuiltIn = builtIn };
    }

    private sealed class Reader(string source, Func<string, (string Text, string Source)> readTemplate)
    {
        public RoleLayout Role(AgentRole role, YamlMappingNode node)
        {
            var common = new[] { "system", "page", "target" };
            switch (role)
            {
                case AgentRole.Planner:
                    OnlyKeys(node, [.. common, "turn"]);
                    return new RoleLayout
                    {
                        System = Template(node, "system", SystemSlots),
                        FirstTurn = Template(node, "turn", PlannerTurnSlots) ?? throw Error(node, "missing \"turn\""),
                        Page = Page(node),
                        Target = Answer(node, "target"),
                    };
                case AgentRole.Executor or AgentRole.DynamicExecutor:
                    OnlyKeys(node, [.. common, "first_turn", "later_turn", "current_first_turn", "current_later_turn", "earlier_pages", "earlier_answers"]);
                    return Earlier(node, new RoleLayout
                    {
                        System = Template(node, "system", ExecutorSystemSlots),
                        FirstTurn = Template(node, "first_turn", ExecutorTurnSlots) ?? throw Error(node, "missing \"first_turn\""),
                        LaterTurn = Template(node, "later_turn", ExecutorTurnSlots) ?? throw Error(node, "missing \"later_turn\""),
                        CurrentFirstTurn = Template(node, "current_first_turn", ExecutorTurnSlots),
                        CurrentLaterTurn = Template(node, "current_later_turn", ExecutorTurnSlots),
                        Page = Page(node),
                        Target = Answer(node, "target"),
                    });
                default:
                    OnlyKeys(node, [.. common, "turn", "history", "later_turn", "earlier_pages", "earlier_answers", "actions", "last_action"]);
                    var history = Bool(node, "history") ?? false;
                    var layout = Earlier(node, new RoleLayout
                    {
                        System = Template(node, "system", SystemSlots),
                        FirstTurn = Template(node, "turn", ReplannerTurnSlots) ?? throw Error(node, "missing \"turn\""),
                        LaterTurn = Template(node, "later_turn", ReplannerTurnSlots),
                        History = history,
                        Page = Page(node),
                        Target = Answer(node, "target"),
                        Actions = ActionList(node, "actions"),
                        LastAction = ActionList(node, "last_action"),
                    });
                    return history && layout.LaterTurn is null ? throw Error(node, "\"history: true\" needs a \"later_turn\"") : layout;
            }
        }

        private RoleLayout Earlier(YamlMappingNode node, RoleLayout layout)
        {
            var earlier = Mapping(node, "earlier_pages");
            if (earlier is not null)
            {
                OnlyKeys(earlier, ["show", "placeholder"]);
            }

            var show = earlier is null ? EarlierPage.Placeholder : Choice(earlier, "show", [("placeholder", EarlierPage.Placeholder), ("snippet", EarlierPage.Snippet), ("none", EarlierPage.None)]) ?? EarlierPage.Placeholder;
            if (show == EarlierPage.Snippet && layout.Page.Renderer != PageRenderer.Reference)
            {
                throw Error(earlier!, "\"show: snippet\" needs \"page: {renderer: reference}\": the snippet is the reference's rendering");
            }

            return layout with
            {
                EarlierPages = show,
                Placeholder = earlier is null ? "" : String(earlier, "placeholder") ?? "",
                EarlierAnswers = Mapping(node, "earlier_answers") is null ? layout.EarlierAnswers : Answer(node, "earlier_answers"),
            };
        }

        private PageLayout Page(YamlMappingNode node)
        {
            var page = Mapping(node, "page") ?? throw Error(node, "missing \"page\"");
            OnlyKeys(page, ["renderer", "ids", "max_tokens", "empty"]);
            int? maxTokens = null;
            if (Scalar(page, "max_tokens") is { } max && max.Value != "none")
            {
                maxTokens = int.TryParse(max.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                    ? n
                    : throw Error(max, $"\"max_tokens\" must be a positive number or none; got \"{max.Value}\"");
            }

            return new PageLayout(
                Choice(page, "renderer", [("compact", PageRenderer.Compact), ("reference", PageRenderer.Reference)]) ?? throw Error(page, "missing \"renderer\" (compact or reference)"),
                Bool(page, "ids") ?? false,
                maxTokens,
                String(page, "empty") ?? "");
        }

        private AnswerLayout Answer(YamlMappingNode node, string key)
        {
            var answer = Mapping(node, key) ?? throw Error(node, $"missing \"{key}\"");
            OnlyKeys(answer, ["reasoning", "open", "close", "padding"]);
            var open = String(answer, "open");
            var close = String(answer, "close");
            if ((open is null) != (close is null) || open?.Trim().Length == 0 || close?.Trim().Length == 0)
            {
                throw Error(answer, "\"open\" and \"close\" are tags that go together: give both, non-blank, or neither");
            }

            var reasoning = Choice(answer, "reasoning", [("separate", ReasoningPlacement.Separate), ("none", ReasoningPlacement.None), ("think-block", ReasoningPlacement.ThinkBlock), ("think-close", ReasoningPlacement.ThinkClose)]) ?? ReasoningPlacement.Separate;
            return new AnswerLayout(reasoning, open, close, String(answer, "padding") ?? "\n");
        }

        private ActionListLayout? ActionList(YamlMappingNode node, string key)
        {
            if (Mapping(node, key) is not { } list)
            {
                return null;
            }

            OnlyKeys(list, ["item", "separator", "none"]);
            var item = Scalar(list, "item") ?? throw Error(list, "missing \"item\"");
            return new ActionListLayout(
                ProfileTemplate.Parse(item.Value ?? "", source, (int)item.Start.Line, ActionSlots),
                String(list, "separator") ?? "\n",
                String(list, "none") ?? "");
        }

        private ProfileTemplate? Template(YamlMappingNode node, string key, string[] slots)
        {
            if (Scalar(node, key) is not { } file)
            {
                return null;
            }

            (string Text, string Source) template;
            try
            {
                template = readTemplate(file.Value ?? "");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                throw Error(file, $"cannot read the template \"{file.Value}\": {e.Message}");
            }

            return ProfileTemplate.Parse(template.Text, template.Source, 1, slots);
        }

        public void OnlyKeys(YamlMappingNode node, string[] known)
        {
            foreach (var key in node.Children.Keys)
            {
                var name = (key as YamlScalarNode)?.Value;
                if (name is null || !known.Contains(name))
                {
                    throw Error(key, $"unknown key \"{name}\" (known here: {string.Join(", ", known)})");
                }
            }
        }

        public YamlMappingNode? Mapping(YamlMappingNode node, string key) => Child(node, key) switch
        {
            null => null,
            YamlMappingNode mapping => mapping,
            var other => throw Error(other, $"\"{key}\" must be a mapping"),
        };

        public string? String(YamlMappingNode node, string key) => Scalar(node, key)?.Value;

        private YamlScalarNode? Scalar(YamlMappingNode node, string key) => Child(node, key) switch
        {
            null => null,
            YamlScalarNode scalar => scalar,
            var other => throw Error(other, $"\"{key}\" must be a single value"),
        };

        private bool? Bool(YamlMappingNode node, string key) => Scalar(node, key) switch
        {
            null => null,
            { Value: "true" } => true,
            { Value: "false" } => false,
            var other => throw Error(other, $"\"{key}\" must be true or false; got \"{other.Value}\""),
        };

        private T? Choice<T>(YamlMappingNode node, string key, (string Name, T Value)[] choices)
            where T : struct
        {
            if (Scalar(node, key) is not { } value)
            {
                return null;
            }

            foreach (var (name, choice) in choices)
            {
                if (name == value.Value)
                {
                    return choice;
                }
            }

            throw Error(value, $"\"{key}\" must be one of {string.Join(", ", choices.Select(c => c.Name))}; got \"{value.Value}\"");
        }

        private static YamlNode? Child(YamlMappingNode node, string key) =>
            node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

        public InputException Error(YamlNode node, string reason) => new(new SourceLocation(source, (int)node.Start.Line), reason);
    }
}
