using System.Collections.Concurrent;
using System.Globalization;
using PlanAct.Actions;
using PlanAct.Html;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Text;

namespace PlanAct.Training.Profiles;

/// <summary>A prompt and whether its current page was cut to the token budget.</summary>
public sealed record BuiltPrompt(EquatableList<ExampleMessage> Messages, bool PageCut);

/// <summary>A model's answer read back: its reasoning (null when it wrote none) and its plan text or canonical action.</summary>
public sealed record ParsedAnswer(string? Reasoning, string Answer);

/// <summary>A model's answer that does not have the profile's layout, or whose plan or action cannot be read.</summary>
public sealed class AnswerFormatException(string message) : Exception(message);

/// <summary>What the caller may change of a profile's page rendering.</summary>
public sealed record PromptSettings
{
    /// <summary>The profile's own budgets, counted with o200k.</summary>
    public static PromptSettings Default { get; } = new();

    /// <summary>When set, the token budget of every rendered page instead of the profile's.</summary>
    public int? MaxPageTokens { get; init; }

    /// <summary>How page tokens are counted against the budget.</summary>
    public TokenCounter Counter { get; init; } = TokenCounter.O200k;
}

/// <summary>
/// A prompt profile: for each role, how its prompt is laid out and what its target looks like. The training examples
/// and the inference prompts (<c>planact prompt</c>, <c>planact parse</c>) come from the same profile, so a model
/// is run with the prompt it was trained on.
/// </summary>
public sealed class PromptProfile
{
    /// <summary>PlanAct's own layout (what every stage writes).</summary>
    public const string PlanActName = "planact";

    /// <summary>The Plan-and-Act reference runtime's layout.</summary>
    public const string PlanAndActName = "plan-and-act";

    private static readonly ConcurrentDictionary<string, PromptProfile> BuiltIns = new(StringComparer.Ordinal);

    private readonly IReadOnlyDictionary<AgentRole, RoleLayout> _layouts;

    internal PromptProfile(string name, string description, string source, IReadOnlyDictionary<AgentRole, RoleLayout> layouts)
    {
        Name = name;
        Description = description;
        Source = source;
        _layouts = layouts;
    }

    /// <summary>The names of the profiles that ship with planact.</summary>
    public static IReadOnlyList<string> BuiltInNames { get; } = [PlanActName, PlanAndActName];

    /// <summary>The built-in <c>planact</c> profile.</summary>
    public static PromptProfile PlanAct => BuiltIn(PlanActName);

    /// <summary>The built-in <c>plan-and-act</c> profile.</summary>
    public static PromptProfile PlanAndAct => BuiltIn(PlanAndActName);

    /// <summary>The profile's name, as datasets cards and the command line give it.</summary>
    public string Name { get; }

    /// <summary>One line on what the profile is for.</summary>
    public string Description { get; }

    /// <summary>Where the profile was read from.</summary>
    public string Source { get; }

    /// <summary>The profile ships with planact.</summary>
    public bool IsBuiltIn { get; init; }

    /// <summary>A built-in profile by name, or the profile file at <paramref name="nameOrPath"/>.</summary>
    /// <exception cref="InputException">The file is missing or not a valid profile.</exception>
    public static PromptProfile Load(string nameOrPath)
    {
        if (BuiltInNames.Contains(nameOrPath))
        {
            return BuiltIn(nameOrPath);
        }

        string text;
        try
        {
            text = File.ReadAllText(nameOrPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(new SourceLocation(nameOrPath), $"not a built-in profile ({string.Join(", ", BuiltInNames)}) and cannot be read as a profile file: {e.Message}", e);
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(nameOrPath))!;
        return ProfileLoader.Load(nameOrPath, text, file =>
        {
            var path = Path.Combine(folder, file);
            return (File.ReadAllText(path), Path.Combine(Path.GetDirectoryName(nameOrPath) ?? "", file));
        });
    }

    private static PromptProfile BuiltIn(string name) => BuiltIns.GetOrAdd(name, static n => ProfileLoader.Load(
        $"{n}.profile.yaml", EmbeddedText.Read(typeof(PromptProfile), $"{n}.profile.yaml"), file => (EmbeddedText.Read(typeof(PromptProfile), file), file), builtIn: true));

    /// <summary>The role's target needs the reasoning behind it (examples without one cannot be made under this profile).</summary>
    public bool TargetNeedsReasoning(AgentRole role) => _layouts[role].Target.NeedsReasoning;

    /// <summary>Whether the role's target keeps reasoning apart, for <c>export --with-reasoning</c> to place.</summary>
    public bool KeepsReasoningApart(AgentRole role) => _layouts[role].Target.Reasoning == ReasoningPlacement.Separate;

    /// <summary>Whether the role's earlier assistant turns show the reasoning of their action.</summary>
    public bool EarlierAnswersNeedReasoning(AgentRole role) => _layouts[role].EarlierAnswers.NeedsReasoning;

    /// <summary>The prompt a model of the state's role is given: every message before its answer.</summary>
    /// <exception cref="InputException">The state holds an action that cannot be parsed, or lacks what the profile shows.</exception>
    public BuiltPrompt Prompt(AgentState state, PromptSettings? settings = null)
    {
        settings ??= PromptSettings.Default;
        var layout = _layouts[state.Role];
        return state switch
        {
            PlannerState planner => PlannerPrompt(layout, planner, settings),
            ExecutorState executor => ExecutorPrompt(layout, executor, settings),
            ReplannerState replanner => ReplannerPrompt(layout, replanner, settings),
            _ => throw new ArgumentException($"unknown state {state.GetType().Name}", nameof(state)),
        };
    }

    /// <summary>The assistant target: <paramref name="answer"/> (plan text or action text) laid out with its reasoning.</summary>
    /// <exception cref="ArgumentException">The layout needs reasoning and there is none.</exception>
    public string Target(AgentRole role, string answer, string? reasoning) => Lay(_layouts[role].Target, answer, reasoning);

    /// <summary>Reads a model's completion for <paramref name="role"/>: the reasoning before <c>&lt;/think&gt;</c>, and the plan or action inside the profile's tags.</summary>
    /// <exception cref="AnswerFormatException">A tag is missing, or the plan or action cannot be read.</exception>
    public ParsedAnswer Parse(AgentRole role, string completion)
    {
        var layout = _layouts[role].Target;
        var text = completion.ReplaceLineEndings("\n");
        string? reasoning = null;
        var close = text.IndexOf(ThinkClose, StringComparison.Ordinal);
        if (close >= 0)
        {
            var thought = text[..close].Trim();
            reasoning = (thought.StartsWith(ThinkOpen, StringComparison.Ordinal) ? thought[ThinkOpen.Length..] : thought).Trim();
            text = text[(close + ThinkClose.Length)..];
        }

        var body = text.Trim();
        if (layout.Open is { } open && layout.Close is { } end)
        {
            var start = text.IndexOf(open, StringComparison.Ordinal);
            var stop = start < 0 ? -1 : text.IndexOf(end, start + open.Length, StringComparison.Ordinal);
            if (start < 0 || stop < 0)
            {
                throw new AnswerFormatException($"the answer has no {(start < 0 ? open : end)} tag; the {What(role)} goes between {open} and {end}");
            }

            body = text[(start + open.Length)..stop].Trim();
        }

        if (AgentRoles.AnswersWithPlan(role))
        {
            var plan = PlanText.Parse(body, grounded: false);
            return plan.Success ? new ParsedAnswer(reasoning, body) : throw new AnswerFormatException("the plan cannot be read: " + string.Join(" ", plan.Errors));
        }

        // The completion names no grammar: a bare action line is WebVoyager, a call of the BrowserGym set BrowserGym, else WebRL.
        return ActionParser.TryParse(body, ActionGrammars.Detect(body), out var action, out var error)
            ? new ParsedAnswer(reasoning, ActionPrinter.Print(action!))
            : throw new AnswerFormatException($"the action cannot be read: {error}");
    }

    private const string ThinkOpen = "<think>";
    private const string ThinkClose = "</think>";

    private static string What(AgentRole role) => AgentRoles.AnswersWithPlan(role) ? "plan" : "action";

    private static string Lay(AnswerLayout layout, string answer, string? reasoning)
    {
        var body = layout.Open is null ? answer : $"{layout.Open}{layout.Padding}{answer}{layout.Padding}{layout.Close}";
        if (!layout.NeedsReasoning)
        {
            return body;
        }

        var thought = string.IsNullOrWhiteSpace(reasoning) ? throw new ArgumentException("this layout needs the reasoning behind the answer", nameof(reasoning)) : reasoning.Trim();
        return layout.Reasoning == ReasoningPlacement.ThinkBlock ? $"{ThinkOpen}\n{thought}\n{ThinkClose}\n\n{body}" : $"{thought}\n{ThinkClose}\n\n{body}";
    }

    private static BuiltPrompt PlannerPrompt(RoleLayout layout, PlannerState state, PromptSettings settings)
    {
        var (page, cut) = Render(layout.Page, state.Page, null, settings);
        var messages = new List<ExampleMessage>(2);
        AddSystem(messages, layout, ("task", state.Task));
        messages.Add(ExampleMessage.User(layout.FirstTurn.Fill(("task", state.Task), ("page", page))));
        return new BuiltPrompt(messages.ToEquatableList(), cut);
    }

    private static BuiltPrompt ExecutorPrompt(RoleLayout layout, ExecutorState state, PromptSettings settings)
    {
        var messages = new List<ExampleMessage>((2 * state.Rounds.Count) + 2);
        AddSystem(messages, layout, ("task", state.Task), ("plan", state.Plan), ("actions", state.Grammar.Actions()), ("page_form", state.Grammar.PageForm()));
        for (var k = 0; k < state.Rounds.Count; k++)
        {
            var round = state.Rounds[k];
            var action = ReadAction(round.Action, state.Grammar, $"round {k + 1}");
            var page = layout.EarlierPages switch
            {
                EarlierPage.Placeholder => layout.Placeholder,
                EarlierPage.Snippet => ReferencePageView.EarlierRound(round.Page, action.Element),
                _ => "",
            };
            var turn = k == 0 ? layout.FirstTurn : layout.LaterTurn!;
            messages.Add(ExampleMessage.User(turn.Fill(ExecutorSlots(state.Task, state.Dynamic ? round.Plan ?? state.Plan : state.Plan, page, k + 1))));
            if (layout.EarlierAnswers.NeedsReasoning && string.IsNullOrWhiteSpace(round.Reasoning))
            {
                throw new InputException(new SourceLocation("state"), $"round {k + 1} has no reasoning, which this profile shows in every earlier answer");
            }

            messages.Add(ExampleMessage.Assistant(Lay(layout.EarlierAnswers, ActionPrinter.Print(action), round.Reasoning)));
        }

        var (current, cut) = Render(layout.Page, state.Page, state.TargetElement, settings);
        var currentTurn = state.Rounds.Count == 0 ? layout.CurrentFirstTurn ?? layout.FirstTurn : layout.CurrentLaterTurn ?? layout.LaterTurn!;
        messages.Add(ExampleMessage.User(currentTurn.Fill(ExecutorSlots(state.Task, state.Plan, current, state.Rounds.Count + 1))));
        return new BuiltPrompt(messages.ToEquatableList(), cut);
    }

    private static Dictionary<string, string> ExecutorSlots(string task, string plan, string page, int round) => new(StringComparer.Ordinal)
    {
        ["task"] = task,
        ["plan"] = plan,
        ["page"] = page,
        ["round"] = round.ToString(CultureInfo.InvariantCulture),
    };

    private static BuiltPrompt ReplannerPrompt(RoleLayout layout, ReplannerState state, PromptSettings settings)
    {
        var actions = state.Actions.Select((a, i) => ReadAction(a, state.Grammar, $"action {i + 1}")).ToList();
        var messages = new List<ExampleMessage>((2 * actions.Count) + 2);
        AddSystem(messages, layout, ("task", state.Task));
        if (layout.History)
        {
            var plans = state.Plans ?? throw new InputException(new SourceLocation("state"), "this profile shows every earlier round: the state needs \"plans\", the plan written at each earlier round");
            if (plans.Count != actions.Count)
            {
                throw new InputException(new SourceLocation("state"), $"after {actions.Count} actions the state needs {actions.Count} earlier plans in \"plans\" (round 0 to {actions.Count - 1}); found {plans.Count}");
            }

            for (var k = 0; k < actions.Count; k++)
            {
                var page = layout.EarlierPages == EarlierPage.Placeholder ? layout.Placeholder : "";
                var turn = k == 0 ? layout.FirstTurn : layout.LaterTurn!;
                messages.Add(ExampleMessage.User(turn.Fill(ReplannerSlots(layout, state.Task, k == 0 ? "" : plans[k - 1], page, actions, k))));
                messages.Add(ExampleMessage.Assistant(Lay(layout.EarlierAnswers, plans[k], null)));
            }
        }

        var (current, cut) = Render(layout.Page, state.Page, null, settings);
        var last = layout.History && actions.Count > 0 ? layout.LaterTurn! : layout.FirstTurn;
        messages.Add(ExampleMessage.User(last.Fill(ReplannerSlots(layout, state.Task, state.Plan, current, actions, actions.Count))));
        return new BuiltPrompt(messages.ToEquatableList(), cut);
    }

    // taken: how many of the actions were taken before this turn.
    private static Dictionary<string, string> ReplannerSlots(RoleLayout layout, string task, string plan, string page, List<WebAction> actions, int taken) => new(StringComparer.Ordinal)
    {
        ["task"] = task,
        ["plan"] = plan,
        ["page"] = page,
        ["round"] = taken.ToString(CultureInfo.InvariantCulture),
        ["actions"] = List(layout.Actions, actions.Take(taken), 0),
        ["last_action"] = taken == 0 ? List(layout.LastAction, [], 0) : List(layout.LastAction, [actions[taken - 1]], taken - 1),
    };

    private static string List(ActionListLayout? layout, IEnumerable<WebAction> actions, int firstIndex)
    {
        if (layout is null)
        {
            return "";
        }

        var items = actions.Select((a, i) => layout.Item.Fill(
            ("number", (firstIndex + i + 1).ToString(CultureInfo.InvariantCulture)),
            ("index", (firstIndex + i).ToString(CultureInfo.InvariantCulture)),
            ("action", ActionPrinter.Print(a)),
            ("numbered", ActionPrinter.PrintNumbered([a], firstIndex + i)))).ToList();
        return items.Count == 0 ? layout.None : string.Join(layout.Separator, items);
    }

    private static void AddSystem(List<ExampleMessage> messages, RoleLayout layout, params (string Name, string Value)[] values)
    {
        if (layout.System is { } system)
        {
            messages.Add(ExampleMessage.System(system.Fill(values)));
        }
    }

    private static WebAction ReadAction(string text, ActionGrammar grammar, string where) =>
        ActionParser.TryParse(text, grammar, out var action, out var error)
            ? action!
            : throw new InputException(new SourceLocation("state"), $"{where}: the action cannot be read: {error}");

    private static (string Page, bool Cut) Render(PageLayout layout, string html, string? keepElement, PromptSettings settings)
    {
        // The reference renderer cleans HTML; other observation kinds have one view per role whatever the profile.
        var kind = Observation.Detect(html);
        var rendered = layout.Renderer == PageRenderer.Reference && kind is ObservationKind.WebRlHtml or ObservationKind.Html
            ? layout.Ids ? ReferencePageView.Executor(html, keepElement) : ReferencePageView.Planner(html)
            : layout.Ids ? Observation.Executor(html, kind) : Observation.Planner(html, kind);
        var cut = false;
        if ((settings.MaxPageTokens ?? layout.MaxTokens) is { } budget)
        {
            var fitted = Observation.Fit(rendered, budget, settings.Counter, kind);
            (rendered, cut) = (fitted.Html, fitted.Truncated);
        }

        return (rendered.Length == 0 ? layout.Empty : rendered, cut);
    }
}
