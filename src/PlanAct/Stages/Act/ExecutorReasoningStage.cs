using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using PlanAct.Actions;
using PlanAct.IO;
using PlanAct.Teacher;
using PlanAct.Training;
using PlanAct.Trajectories;

namespace PlanAct.Stages.Act;

/// <summary>The item of the CoT executor stages: an executor example (plain or dynamic) and the trajectory it was built from.</summary>
internal sealed record ExecutorStep(Trajectory Trajectory, TrainingExample Example)
{
    /// <summary>The step whose action is the example's target.</summary>
    public int Step => Example.Source.Step ?? throw new InvalidOperationException($"example {Example.Id} names no step");
}

/// <summary>
/// CoT executor data (SPEC §2.3, and §2.7 for dynamic examples): the executor example of a step, with the teacher's reasoning for its known action kept
/// apart in <see cref="TrainingExample.Reasoning"/>. The teacher sees the turn and the action taken, and answers with the
/// reasoning and the action; an answer whose action differs from the ground truth (compared as parsed, canonical calls)
/// is re-asked with the difference, then quarantined.
/// </summary>
/// <param name="name">The stage's name (<c>act</c> or <c>dynamic-act</c>): its settings, ledger entries and quarantine records.</param>
/// <param name="model">The teacher model, recorded in each example.</param>
internal sealed partial class ExecutorReasoningStage(string name, string model) : ITeacherStage<ExecutorStep, TrainingExample>
{
    private static readonly PromptTemplate User = PromptTemplate.Load(typeof(ExecutorReasoningStage), "act.cot.user.md");

    [GeneratedRegex(@"^[ \t]*(?:#{1,6}[ \t]*)?(?:\*\*)?[ \t]*(Reasoning|Action)[ \t]*:?[ \t]*(?:\*\*)?[ \t]*$", RegexOptions.Multiline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SectionHeader();

    [GeneratedRegex(@"^[ \t]*```[a-z]*[ \t]*$", RegexOptions.Multiline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CodeFence();

    public string Name => name;

    public string IdOf(ExecutorStep item) => item.Example.Id;

    public string Format(TrainingExample output) => ExampleJsonl.Format(output);

    public string IdOfRecord(string line, SourceLocation location) =>
        ExampleJsonl.Read(line, location) is { Reasoning: not null } example ? example.Id : throw new InputException(location, $"an example without \"reasoning\": not {name} --cot output");

    public async Task<ItemResult<TrainingExample>> ProcessAsync(ExecutorStep item, TeacherDialog teacher, CancellationToken cancellationToken)
    {
        var example = item.Example;
        var truth = item.Trajectory.Steps[item.Step].Action;
        var outcome = await teacher.AskAsync(example.Id, Messages(item), reply => Check(reply.Text, truth), cancellationToken);
        return outcome switch
        {
            TeacherOutcome<string>.Accepted accepted => new ItemResult<TrainingExample>.Done(
                example with { Reasoning = accepted.Value, Teacher = model, Requests = outcome.RequestIds.ToEquatableList() }),
            TeacherOutcome<string>.Failed failed => new ItemResult<TrainingExample>.Quarantined(failed.Reason, failed.Rejected),
            _ => throw new InvalidOperationException("unknown outcome"),
        };
    }

    /// <summary>The request: the executor's system message, its earlier actions, the current page and the action taken.</summary>
    public static IReadOnlyList<ChatMessage> Messages(ExecutorStep item)
    {
        var example = item.Example;
        var steps = item.Trajectory.Steps;
        var history = new StringBuilder();
        for (var i = 0; i < item.Step; i++)
        {
            history.Append(i).Append(":\n").Append(ActionPrinter.Print(steps[i].Action)).Append("\n\n");
        }

        var user = User.Fill(
            ("executor", example.Messages[0].Content),
            ("history", item.Step == 0 ? "(none: this is the first action)" : history.ToString().TrimEnd()),
            ("page", example.Messages[^2].Content),
            ("index", item.Step.ToString(CultureInfo.InvariantCulture)),
            ("action", ActionPrinter.Print(steps[item.Step].Action)));
        return [new ChatMessage(ChatRole.System, EmbeddedText.Read(typeof(ExecutorReasoningStage), "act.cot.system.md")), new ChatMessage(ChatRole.User, user)];
    }

    /// <summary>Accepts the reasoning when the answer has both sections and its action is <paramref name="truth"/>'s call.</summary>
    public static Checked<string> Check(string answer, WebAction truth) => AnswerForms.ExecutorReasoning.Check(answer, text => CheckSections(text, truth));

    private static Checked<string> CheckSections(string answer, WebAction truth)
    {
        var expected = ActionPrinter.PrintCall(truth);
        var headers = SectionHeader().Matches(answer);
        var reasoningHeader = headers.FirstOrDefault(h => h.Groups[1].Value.Equals("Reasoning", StringComparison.OrdinalIgnoreCase));
        var actionHeader = headers.LastOrDefault(h => h.Groups[1].Value.Equals("Action", StringComparison.OrdinalIgnoreCase));
        if (reasoningHeader is null || actionHeader is null || actionHeader.Index < reasoningHeader.Index)
        {
            return Checked<string>.Fail("Answer with '## Reasoning' (why this action is the right next move), then '## Action' (the action itself).");
        }

        var reasoning = answer[(reasoningHeader.Index + reasoningHeader.Length)..actionHeader.Index].Trim();
        if (reasoning.Length == 0)
        {
            return Checked<string>.Fail("The '## Reasoning' section is empty: write the executor's thinking there.");
        }

        if (reasoning.Contains("ground truth", StringComparison.OrdinalIgnoreCase) || reasoning.Contains("ground-truth", StringComparison.OrdinalIgnoreCase))
        {
            return Checked<string>.Fail("Write the reasoning as the executor's own thinking; do not mention a ground truth.");
        }

        var actionText = CodeFence().Replace(answer[(actionHeader.Index + actionHeader.Length)..], "");
        if (!ActionParser.TryParse(actionText, truth.Grammar, out var action, out var error))
        {
            return Checked<string>.Fail($"The action under '## Action' cannot be read ({error}); copy it as it was taken: {expected}");
        }

        var given = ActionPrinter.PrintCall(action!);
        return given == expected
            ? Checked<string>.Ok(reasoning)
            : Checked<string>.Fail($"The action must be the one that was taken, {expected}; the answer has {given}. Explain that action instead.");
    }
}
