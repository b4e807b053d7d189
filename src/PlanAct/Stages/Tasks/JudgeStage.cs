using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;
using PlanAct.Actions;
using PlanAct.Html;
using PlanAct.IO;
using PlanAct.Teacher;
using PlanAct.Text;
using PlanAct.Trajectories;

namespace PlanAct.Stages.Tasks;

/// <summary>The judge's verdict on one trajectory, as written to the verdicts file.</summary>
internal sealed record TrajectoryVerdict(string Id, string Site, string Task, Verdict Verdict)
{
    public string? Teacher { get; init; }

    public EquatableList<string>? Requests { get; init; }
}

/// <summary>
/// The outcome judge (paper §4.1, data side): the teacher sees the task, the action history and the last page, and says
/// YES or NO with a reason. Only trajectories judged YES go on into the pipeline.
/// </summary>
internal sealed class JudgeStage(int maxPageTokens, string model, TokenCounter? counter = null) : ITeacherStage<Trajectory, TrajectoryVerdict>
{
    public const string StageName = "judge";

    private static readonly PromptTemplate User = PromptTemplate.Load(typeof(JudgeStage), "judge.user.md");

    public string Name => StageName;

    public string IdOf(Trajectory item) => item.Id;

    public string Format(TrajectoryVerdict output) => JsonSerializer.Serialize(
        new VerdictLine
        {
            Id = output.Id,
            Site = output.Site,
            Task = output.Task,
            Verdict = output.Verdict.Yes ? "YES" : "NO",
            Reason = output.Verdict.Reason,
            Teacher = output.Teacher,
            Requests = output.Requests?.ToList(),
        },
        VerdictJsonContext.Relaxed.VerdictLine);

    public string IdOfRecord(string line, SourceLocation location) =>
        JsonlFile.Deserialize(line, VerdictJsonContext.Default.VerdictLine, location, new ProblemLog()) is { Id: { } id, Verdict: "YES" or "NO", Reason: not null }
            ? id
            : throw new InputException(location, "not a verdict (id, verdict YES or NO, reason)");

    public async Task<ItemResult<TrajectoryVerdict>> ProcessAsync(Trajectory item, TeacherDialog teacher, CancellationToken cancellationToken)
    {
        if (item.Steps.Count == 0)
        {
            return new ItemResult<TrajectoryVerdict>.Skipped("the trajectory has no actions");
        }

        var outcome = await teacher.AskAsync(item.Id, Messages(item), reply => Check(reply.Text), cancellationToken);
        return outcome switch
        {
            TeacherOutcome<Verdict>.Accepted accepted => new ItemResult<TrajectoryVerdict>.Done(
                new TrajectoryVerdict(item.Id, item.Site, item.Task, accepted.Value)
                {
                    Teacher = model,
                    Requests = outcome.Rejected.Select(a => a.RequestId).Append(accepted.Reply.RequestId).OfType<string>().ToEquatableList(),
                }),
            TeacherOutcome<Verdict>.Failed failed => new ItemResult<TrajectoryVerdict>.Quarantined(failed.Reason, failed.Rejected),
            _ => throw new InvalidOperationException("unknown outcome"),
        };
    }

    public IReadOnlyList<ChatMessage> Messages(Trajectory trajectory)
    {
        var last = trajectory.Steps[^1];
        var page = Observation.FitView(last.Html, executor: false, maxPageTokens, counter ?? TokenCounter.O200k, last.Observation);
        var user = User.Fill(
            ("task", trajectory.Task),
            ("site", trajectory.Site),
            ("count", trajectory.Steps.Count.ToString(CultureInfo.InvariantCulture)),
            ("last", last.Index.ToString(CultureInfo.InvariantCulture)),
            ("actions", ActionPrinter.PrintNumbered(trajectory.Steps.Select(s => s.Action))),
            ("page", page.Html));
        return [new ChatMessage(ChatRole.System, EmbeddedText.Read(typeof(JudgeStage), "judge.system.md")), new ChatMessage(ChatRole.User, user)];
    }

    public static Checked<Verdict> Check(string answer) => AnswerForms.Verdict.Check(answer, text =>
    {
        var (verdict, error) = Verdict.Parse(text);
        return verdict is not null ? Checked<Verdict>.Ok(verdict) : Checked<Verdict>.Fail(error!);
    });

    /// <summary>The ids judged YES in a verdicts file written by this stage.</summary>
    public static async Task<HashSet<string>> ReadSuccessfulAsync(string path, ProblemLog problems, CancellationToken cancellationToken = default)
    {
        var yes = new HashSet<string>(StringComparer.Ordinal);
        var lines = JsonlFile.ReadRecordsAsync(
            path, (text, location) => JsonlFile.Deserialize(text, VerdictJsonContext.Default.VerdictLine, location, problems), l => l.Id ?? "", problems, cancellationToken);
        await foreach (var (line, _) in lines)
        {
            if (line is { Id: { } id, Verdict: "YES" })
            {
                yes.Add(id);
            }
        }

        return yes;
    }
}

internal sealed record VerdictLine
{
    [JsonPropertyName("id")] public string? Id { get; init; }

    [JsonPropertyName("site")] public string? Site { get; init; }

    [JsonPropertyName("task")] public string? Task { get; init; }

    [JsonPropertyName("verdict")] public string? Verdict { get; init; }

    [JsonPropertyName("reason")] public string? Reason { get; init; }

    [JsonPropertyName("teacher")] public string? Teacher { get; init; }

    [JsonPropertyName("requests")] public List<string>? Requests { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(VerdictLine))]
internal sealed partial class VerdictJsonContext : JsonSerializerContext
{
    public static VerdictJsonContext Relaxed { get; } = new(JsonlFile.RelaxedWriteOptions());
}
