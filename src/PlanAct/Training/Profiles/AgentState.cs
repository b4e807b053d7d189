using PlanAct.IO;

namespace PlanAct.Training.Profiles;

/// <summary>The four models of a Plan-and-Act agent, each prompted by its own layout of a profile.</summary>
public enum AgentRole
{
    /// <summary>Writes the first plan from the task and the first page.</summary>
    Planner,

    /// <summary>Takes the next action following a fixed plan.</summary>
    Executor,

    /// <summary>Rewrites the plan after each action from what has been seen so far.</summary>
    Replanner,

    /// <summary>Takes the next action following the plan in force, which the replanner may have changed.</summary>
    DynamicExecutor,
}

/// <summary>Role names as profiles, records and the command line spell them.</summary>
public static class AgentRoles
{
    /// <summary>Every role, in pipeline order.</summary>
    public static IReadOnlyList<AgentRole> All { get; } = [AgentRole.Planner, AgentRole.Executor, AgentRole.Replanner, AgentRole.DynamicExecutor];

    /// <summary>The role's lower-case name: <c>planner</c>, <c>executor</c>, <c>replanner</c>, <c>dynamic-executor</c>.</summary>
    public static string Name(AgentRole role) => role switch
    {
        AgentRole.Planner => "planner",
        AgentRole.Executor => "executor",
        AgentRole.Replanner => "replanner",
        AgentRole.DynamicExecutor => "dynamic-executor",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };

    /// <summary>The role named <paramref name="name"/> (as <see cref="Name"/> spells it), or null.</summary>
    public static AgentRole? Parse(string? name) => All.Cast<AgentRole?>().FirstOrDefault(r => Name(r!.Value) == name);

    /// <summary>The model an answer of <paramref name="role"/> is: a plan or an action.</summary>
    public static bool AnswersWithPlan(AgentRole role) => role is AgentRole.Planner or AgentRole.Replanner;
}

/// <summary>
/// What an agent knows when it asks one of its models: the input of <c>planact prompt</c>, and what every training
/// example is rebuilt from. Pages are raw observation HTML as the trajectory holds it; plans are plan text in the
/// training-target rendering; actions are action text (comments allowed).
/// </summary>
public abstract record AgentState(string Task, string Page)
{
    /// <summary>The model this state prompts.</summary>
    public abstract AgentRole Role { get; }
}

/// <summary>The planner's state: the task and the first page.</summary>
public sealed record PlannerState(string Task, string Page) : AgentState(Task, Page)
{
    /// <inheritdoc/>
    public override AgentRole Role => AgentRole.Planner;
}

/// <summary>An earlier round of the executor: its page, the action taken, the reasoning behind it, and (dynamic) the plan then in force.</summary>
public sealed record ExecutorRound(string Page, string Action, string? Reasoning = null, string? Plan = null);

/// <summary>
/// The executor's state: the task, the plan in force, the earlier rounds oldest first, and the current page. With
/// <see cref="Dynamic"/> the plan may change between rounds (each round carries the plan then in force).
/// </summary>
public sealed record ExecutorState(string Task, string Plan, EquatableList<ExecutorRound> Rounds, string Page, bool Dynamic = false) : AgentState(Task, Page)
{
    /// <inheritdoc/>
    public override AgentRole Role => Dynamic ? AgentRole.DynamicExecutor : AgentRole.Executor;

    /// <summary>
    /// Training only: the element the trained action acts on. Renderings that drop elements keep this one, so the target
    /// never names an element its prompt does not show (the reference builds its training pages the same way).
    /// </summary>
    public string? TargetElement { get; init; }

    /// <summary>The grammar of the actions (earlier ones and the target); the system message describes it.</summary>
    internal Actions.ActionGrammar Grammar { get; init; }
}

/// <summary>
/// The replanner's state after the actions taken so far: the task, the previous plan, the actions oldest first, and the
/// current page. <see cref="Plans"/> holds the plan written at each earlier round (round 0 is the first plan), for
/// profiles that show earlier rounds as turns; its last is <see cref="AgentState.Task"/>'s previous plan.
/// </summary>
public sealed record ReplannerState(string Task, string Plan, EquatableList<string> Actions, string Page) : AgentState(Task, Page)
{
    /// <inheritdoc/>
    public override AgentRole Role => AgentRole.Replanner;

    /// <summary>The plan of each earlier round, round 0 first; null for profiles that do not show them.</summary>
    public EquatableList<string>? Plans { get; init; }

    /// <summary>The grammar <see cref="Actions"/> are written in.</summary>
    internal Actions.ActionGrammar Grammar { get; init; }
}
