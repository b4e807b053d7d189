using System.Globalization;
using Microsoft.Extensions.AI;
using PlanAct.Actions;
using PlanAct.Html;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Teacher;
using PlanAct.Trajectories;

namespace PlanAct.Stages.Annotate;

/// <summary>Settings of the annotate stage.</summary>
public sealed record AnnotateOptions
{
    /// <summary>The first page's planner view is cut to this many tokens.</summary>
    public int MaxPageTokens { get; init; } = 6000;

    public AnnotationExamples Examples { get; init; } = AnnotationExamples.BuiltIn;

    public TokenCounter Counter { get; init; } = TokenCounter.O200k;
}

/// <summary>
/// Grounded plan annotation (SPEC §2.2): the teacher sees the task, the first page and the numbered actions, and
/// writes a plan whose steps partition the actions. Answers are validated and re-asked with the exact error.
/// </summary>
public sealed class AnnotateStage(AnnotateOptions options, string model) : ITeacherStage<Trajectory, PlanRecord>
{
    public const string StageName = "annotate";

    public string Name => StageName;

    public string IdOf(Trajectory item) => item.Id;

    public string Format(PlanRecord output) => PlanJsonl.Format(output);

    public async Task<ItemResult<PlanRecord>> ProcessAsync(Trajectory item, TeacherDialog teacher, CancellationToken cancellationToken)
    {
        if (item.Steps.Count == 0)
        {
            return new ItemResult<PlanRecord>.Skipped("the trajectory has no actions");
        }

        var outcome = await teacher.AskAsync(item.Id, Messages(item), reply => Check(reply.Text, item.Steps.Count), cancellationToken);
        var requests = outcome.Rejected.Select(a => a.RequestId).OfType<string>();
        return outcome switch
        {
            TeacherOutcome<Plan>.Accepted accepted => new ItemResult<PlanRecord>.Done(
                new PlanRecord(item.Id, item.Site, item.Task, item.InitialHtml, accepted.Value, PlanOrigin.Grounded)
                {
                    Trace = accepted.Reply.Reasoning,
                    Teacher = model,
                    Requests = requests.Append(accepted.Reply.RequestId).OfType<string>().ToEquatableList(),
                }),
            TeacherOutcome<Plan>.Failed failed => new ItemResult<PlanRecord>.Quarantined(failed.Reason, failed.Rejected),
            _ => throw new InvalidOperationException("unknown outcome"),
        };
    }

    /// <summary>The conversation that asks for a trajectory's plan.</summary>
    public IReadOnlyList<ChatMessage> Messages(Trajectory trajectory)
    {
        var page = PageBudget.Fit(PageView.Render(trajectory.InitialHtml, PageView.Planner), options.MaxPageTokens, options.Counter);
        var examples = options.Examples.Render(trajectory.Site);
        var user = PromptTemplate.Load(typeof(AnnotateStage), "annotate.user.md").Fill(
            ("examples", examples.Length > 0 ? examples + "Now the trajectory to annotate.\n\n" : ""),
            ("task", trajectory.Task),
            ("site", trajectory.Site),
            ("page", page.Html),
            ("count", trajectory.Steps.Count.ToString(CultureInfo.InvariantCulture)),
            ("last", (trajectory.Steps.Count - 1).ToString(CultureInfo.InvariantCulture)),
            ("actions", ActionPrinter.PrintNumbered(trajectory.Steps.Select(s => s.Action))));
        return [new ChatMessage(ChatRole.System, EmbeddedText.Read(typeof(AnnotateStage), "annotate.system.md")), new ChatMessage(ChatRole.User, user)];
    }

    /// <summary>Parses an answer and checks that it grounds all <paramref name="actionCount"/> actions.</summary>
    public static Checked<Plan> Check(string answer, int actionCount)
    {
        var (plan, error) = PlanValidator.ParseGrounded(answer, 0, actionCount);
        return plan is not null ? Checked<Plan>.Ok(plan) : Checked<Plan>.Fail(error!);
    }
}
