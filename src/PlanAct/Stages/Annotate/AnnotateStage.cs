using System.Globalization;
using Microsoft.Extensions.AI;
using PlanAct.Actions;
using PlanAct.Html;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Plans.Hindsight;
using PlanAct.Teacher;
using PlanAct.Text;
using PlanAct.Trajectories;

namespace PlanAct.Stages.Annotate;

/// <summary>How plans are annotated.</summary>
internal enum AnnotateMode
{
    /// <summary>One request: the teacher sees the numbered actions and writes the grounded plan.</summary>
    Grounded,

    /// <summary>Describe every action, reduce the descriptions to a plan, then rewrite its reasoning without hindsight (<see cref="CotAnnotation"/>).</summary>
    Cot,
}

/// <summary>Settings of the annotate stage.</summary>
internal sealed record AnnotateOptions
{
    public AnnotateMode Mode { get; init; } = AnnotateMode.Grounded;

    /// <summary>The first page's planner view is cut to this many tokens.</summary>
    public int MaxPageTokens { get; init; } = 6000;

    /// <summary>CoT mode: each page before and after an action (executor view) is cut to this many tokens.</summary>
    public int DescribePageTokens { get; init; } = 3000;

    public AnnotationExamples Examples { get; init; } = AnnotationExamples.BuiltIn;

    public TokenCounter Counter { get; init; } = TokenCounter.O200k;
}

/// <summary>
/// Grounded plan annotation (SPEC §2.2): the teacher sees the task, the first page and the numbered actions, and
/// writes a plan whose steps partition the actions. Answers are validated and re-asked with the exact error, a plan
/// naming what only later pages, notes or the final answer show too (<see cref="HindsightCheck"/>; quarantined as
/// <see cref="HindsightCheck.Reason"/> when it never stops).
/// In <see cref="AnnotateMode.Cot"/> the plan is built in three requests instead (<see cref="CotAnnotation"/>).
/// </summary>
internal sealed class AnnotateStage : ITeacherStage<Trajectory, PlanRecord>
{
    public const string StageName = "annotate";

    private readonly AnnotateOptions _options;
    private readonly string _model;
    private readonly CotAnnotation _cot;

    public AnnotateStage(AnnotateOptions options, string model)
    {
        _options = options;
        _model = model;
        _cot = new CotAnnotation(options, this);
    }

    public string Name => StageName;

    public string IdOf(Trajectory item) => item.Id;

    public string Format(PlanRecord output) => PlanJsonl.Format(output);

    public string IdOfRecord(string line, SourceLocation location) => PlanJsonl.Read(line, location) switch
    {
        { Origin: PlanOrigin.Grounded, Label: null } record => record.Id,
        _ => throw new InputException(location, "a plan record that annotate does not write (its origin is not grounded, or it has a label)"),
    };

    public async Task<ItemResult<PlanRecord>> ProcessAsync(Trajectory item, TeacherDialog teacher, CancellationToken cancellationToken)
    {
        if (item.Steps.Count == 0)
        {
            return new ItemResult<PlanRecord>.Skipped("the trajectory has no actions");
        }

        var planner = new TrajectoryHindsight(item).At(0);
        if (_options.Mode == AnnotateMode.Cot)
        {
            return await _cot.ProcessAsync(item, planner, teacher, cancellationToken);
        }

        var outcome = await teacher.AskAsync(item.Id, Messages(item), reply => Check(reply.Text, item.Steps.Count, planner), cancellationToken);
        return outcome switch
        {
            TeacherOutcome<Plan>.Accepted accepted => new ItemResult<PlanRecord>.Done(
                Record(item, accepted.Value, outcome.RequestIds) with { AnnotationTrace = accepted.Reply.Reasoning }),
            TeacherOutcome<Plan>.Failed failed => new ItemResult<PlanRecord>.Quarantined(HindsightCheck.QuarantineReason(failed.Reason), failed.Rejected),
            _ => throw new InvalidOperationException("unknown outcome"),
        };
    }

    /// <summary>The record of an annotated trajectory, without reasoning.</summary>
    internal PlanRecord Record(Trajectory item, Plan plan, IEnumerable<string> requests) =>
        new(item.Id, item.Site, item.Task, item.InitialHtml, plan, PlanOrigin.Grounded)
        {
            Teacher = _model,
            Requests = requests.ToEquatableList(),
        };

    /// <summary>The conversation that asks for a trajectory's plan; with <paramref name="descriptions"/> (CoT mode) each action is followed by what it did.</summary>
    public IReadOnlyList<ChatMessage> Messages(Trajectory trajectory, IReadOnlyList<string>? descriptions = null)
    {
        // Trajectories in another grammar are shown examples in that grammar when there are any, whatever their site.
        var examples = _options.Examples.Render(trajectory.Grammar != ActionGrammar.WebRl && _options.Examples.Has(trajectory.Grammar.Name()) ? trajectory.Grammar.Name() : trajectory.Site);
        var user = PromptTemplate.Load(typeof(AnnotateStage), "annotate.user.md").Fill(
            ("examples", examples.Length > 0 ? examples + "Now the trajectory to annotate.\n\n" : ""),
            ("task", trajectory.Task),
            ("site", trajectory.Site),
            ("page", FirstPage(trajectory)),
            ("count", trajectory.Steps.Count.ToString(CultureInfo.InvariantCulture)),
            ("last", (trajectory.Steps.Count - 1).ToString(CultureInfo.InvariantCulture)),
            ("described", descriptions is null ? "" : ", each followed by what it did after '>'"),
            ("actions", ActionPrinter.PrintNumbered(trajectory.Steps.Select(s => s.Action), descriptions: descriptions)),
            ("grammar", trajectory.Grammar.TeacherNote()));
        return [new ChatMessage(ChatRole.System, EmbeddedText.Read(typeof(AnnotateStage), "annotate.system.md")), new ChatMessage(ChatRole.User, user)];
    }

    /// <summary>The planner view of the first page, cut to the budget: what the planner will see.</summary>
    internal string FirstPage(Trajectory trajectory) =>
        Observation.FitView(trajectory.InitialHtml, executor: false, _options.MaxPageTokens, _options.Counter, trajectory.Steps[0].Observation).Shown;

    /// <summary>
    /// Parses an answer and checks that it grounds all <paramref name="actionCount"/> actions and, with
    /// <paramref name="hindsight"/>, that its reasoning and steps name nothing the planner could not know.
    /// </summary>
    public static Checked<Plan> Check(string answer, int actionCount, HindsightCheck? hindsight = null)
    {
        var grounded = AnswerForms.CheckGrounded(answer, 0, actionCount);
        return hindsight is null ? grounded : hindsight.Screen(grounded, plan => TargetPart.Of(plan));
    }
}
