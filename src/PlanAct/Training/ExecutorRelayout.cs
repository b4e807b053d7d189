using PlanAct.Actions;
using PlanAct.IO;
using PlanAct.Training.Profiles;

namespace PlanAct.Training;

/// <summary>
/// Lays executor example records out again under another profile, from their step contexts: the earlier rounds of a
/// step come from the records of the same trajectory before it, so a trajectory's records must follow each other in
/// step order (as <c>act</c> and <c>dynamic-act</c> write them). Only the current trajectory's contexts are held.
/// </summary>
internal sealed class ExecutorRelayout(ExamplePageOptions options, ExampleRefusals refusals)
{
    /// <summary>The current trajectory's steps so far, null for a step that has no record.</summary>
    private readonly List<(StepContext Context, string? Reasoning)?> _steps = [];
    private string? _trajectory;
    private int _pagesCut;

    public int PagesCut => _pagesCut;

    /// <summary>The example under the options' profile, or null when the profile refuses it (the reason is in the refusals).</summary>
    /// <exception cref="InputException">A trajectory's records are out of step order.</exception>
    public TrainingExample? Relayout(TrainingExample example, SourceLocation location)
    {
        if (example.Context is not { } context || example.Source is not { Trajectory: { } trajectory, Step: { } step })
        {
            refusals.Add(example.Id, "the record has no step context (made by an older planact); make it again with `planact act` or `planact dynamic-act`");
            return null;
        }

        if (trajectory != _trajectory)
        {
            _trajectory = trajectory;
            _steps.Clear();
        }

        if (step < _steps.Count)
        {
            throw new InputException(location, $"example \"{example.Id}\" comes after step {_steps.Count - 1} of its trajectory: an executor file lists each trajectory's steps together and in order, as act writes them");
        }

        while (_steps.Count < step)
        {
            _steps.Add(null);
        }

        _steps.Add((context, example.Reasoning));
        var profile = options.Profile;
        var role = context.Role;
        var command = role == AgentRole.DynamicExecutor ? "planact dynamic-act --cot" : "planact act --cot";
        var missing = _steps.FindIndex(s => s is null);
        if (missing >= 0)
        {
            refusals.Add(example.Id, $"step {missing} of the trajectory has no record (quarantined or skipped), and the {profile.Name} profile shows every earlier round");
            return null;
        }

        if (profile.TargetNeedsReasoning(role) && string.IsNullOrWhiteSpace(example.Reasoning))
        {
            refusals.Add(example.Id, ExampleRefusals.NoReasoning(profile, command));
            return null;
        }

        var rounds = _steps.Take(step).Select(s => s!.Value).ToList();
        if (profile.EarlierAnswersNeedReasoning(role) && rounds.FindIndex(r => string.IsNullOrWhiteSpace(r.Reasoning)) is var bare and >= 0)
        {
            refusals.Add(example.Id, $"step {bare} has no reasoning, which the {profile.Name} profile shows in every earlier answer; make the records with `{command}`");
            return null;
        }

        var grammar = ActionGrammars.Detect(context.Action);
        var state = new ExecutorState(
            example.Task,
            context.Plan,
            rounds.Select(r => new ExecutorRound(r.Context.Page, r.Context.Action, r.Reasoning, r.Context.Plan)).ToEquatableList(),
            context.Page,
            role == AgentRole.DynamicExecutor)
        {
            TargetElement = ActionParser.TryParse(context.Action, grammar, out var action, out _) ? action!.Element : null,
            Grammar = grammar,
        };
        var prompt = profile.Prompt(state, options.Settings);
        if (prompt.PageCut)
        {
            Interlocked.Increment(ref _pagesCut);
        }

        var target = ExampleMessage.Assistant(profile.Target(role, context.Action, example.Reasoning));
        return example with { Messages = prompt.Messages.Append(target).ToEquatableList() };
    }
}
