using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using PlanAct.IO;
using PlanAct.Teacher;
using PlanAct.Teacher.Cost;
using PlanAct.Text;

namespace PlanAct.Stages.Tasks;

/// <summary>Settings of task generation.</summary>
internal sealed record TaskGenerationOptions
{
    /// <summary>New tasks wanted per site.</summary>
    public int PerSite { get; init; } = 20;

    /// <summary>Seed tasks shown in each request (drawn without replacement, reshuffled when used up).</summary>
    public int SeedsPerRequest { get; init; } = 8;

    /// <summary>New tasks asked for in each request.</summary>
    public int PerRequest { get; init; } = 10;

    /// <summary>Generation requests per site before giving up on the quota (a teacher that only repeats itself).</summary>
    public int MaxRequestsPerSite { get; init; } = 50;

    /// <summary>Seeds the draws of seed tasks.</summary>
    public int Seed { get; init; }

    /// <summary>ROUGE-L F at or above which a task is a near-duplicate.</summary>
    public double Threshold { get; init; } = NearDuplicateIndex.DefaultThreshold;

    public SiteNotes Notes { get; init; } = SiteNotes.BuiltIn;
}

/// <summary>A new task that passed the dedup and the feasibility filter.</summary>
internal sealed record GeneratedTask(string Id, string Site, string Intent, string Feasibility)
{
    public string? Teacher { get; init; }

    public EquatableList<string>? Requests { get; init; }
}

/// <summary>A candidate task left out, and why (duplicate, near-duplicate, infeasible, or the quota was full).</summary>
internal sealed record RejectedTask(string Site, string Intent, string Reason);

/// <summary>What a generation run made.</summary>
internal sealed record TaskGenerationResult(
    IReadOnlyList<GeneratedTask> Accepted,
    IReadOnlyList<RejectedTask> Rejected,
    IReadOnlyList<(string Item, string Reason)> FailedRequests,
    IReadOnlyDictionary<string, int> RequestsBySite,
    string? StoppedBecause);

/// <summary>
/// New task intents per site from seed intents (paper §4.1, data side; Alpaca / Self-Instruct style): each request
/// shows some seeds of one site and its feasibility notes and asks for new tasks; a candidate is dropped when its
/// ROUGE-L F with any seed, avoided intent (benchmark test intents) or accepted task reaches the threshold, then the
/// teacher judges it feasible on the site or not. Requests depend only on the seeds, the options and earlier answers,
/// which the ledger replays: a re-run sends nothing and gives the same tasks.
/// </summary>
internal sealed partial class TaskGenerator(TaskGenerationOptions options, TeacherSession session)
{
    public const string GenerateStage = "tasks-generate";
    public const string FeasibilityStage = "tasks-feasibility";

    private static readonly PromptTemplate GenerateUser = PromptTemplate.Load(typeof(TaskGenerator), "generate.user.md");
    private static readonly PromptTemplate FeasibilityUser = PromptTemplate.Load(typeof(TaskGenerator), "feasibility.user.md");

    [GeneratedRegex(@"^[ \t]*(?:\d+[.):]|[-*])[ \t]+(.+?)[ \t]*$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex ListItem();

    /// <param name="seeds">Seed intents; those naming exactly one site are shown as examples of it, all are deduplicated against.</param>
    /// <param name="avoid">Intents new tasks must not come near (benchmark test intents).</param>
    /// <param name="sites">The sites to generate for.</param>
    /// <param name="progress">Gets the count of accepted tasks after each request.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    public async Task<TaskGenerationResult> RunAsync(
        IReadOnlyList<QueryListEntry> seeds, IReadOnlyList<string> avoid, IReadOnlyList<string> sites, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var known = new NearDuplicateIndex(options.Threshold);
        var origin = new List<string>();
        foreach (var seed in seeds)
        {
            known.Add(seed.Query);
            origin.Add("a seed");
        }

        foreach (var intent in avoid)
        {
            known.Add(intent);
            origin.Add("an avoided intent");
        }

        var accepted = new List<GeneratedTask>();
        var rejected = new List<RejectedTask>();
        var failed = new List<(string, string)>();
        var requests = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var generate = session.DialogFor(GenerateStage);
        var feasibility = session.DialogFor(FeasibilityStage);
        try
        {
            foreach (var (site, siteIndex) in sites.Select((s, i) => (s, i)))
            {
                var examples = seeds.Where(s => s.Sites.Count == 1 && s.Sites[0].Equals(site, StringComparison.OrdinalIgnoreCase)).Select(s => s.Query).ToList();
                var draws = new ShuffledDeck<string>(examples, new Random(options.Seed + siteIndex));
                var count = 0;
                for (var request = 0; count < options.PerSite && request < options.MaxRequestsPerSite; request++)
                {
                    requests[site] = request + 1;
                    var item = $"{site}/{request.ToString(CultureInfo.InvariantCulture)}";
                    var asked = await generate.AskAsync(item, GenerateMessages(site, draws.Deal(options.SeedsPerRequest)), reply => ParseList(reply.Text), cancellationToken);
                    if (asked is not TeacherOutcome<IReadOnlyList<string>>.Accepted list)
                    {
                        failed.Add((item, ((TeacherOutcome<IReadOnlyList<string>>.Failed)asked).Reason));
                        continue;
                    }

                    var fresh = new List<string>();
                    foreach (var candidate in list.Value)
                    {
                        var why = known.FindNearest(candidate) is { } match
                            ? Duplicate(match, match.Id < origin.Count ? origin[match.Id] : "an accepted task")
                            : fresh.Find(f => RougeL.FMeasure(f, candidate) >= options.Threshold) is { } sibling
                                ? $"near-duplicate (ROUGE-L ≥ {options.Threshold.ToString(CultureInfo.InvariantCulture)}) of \"{sibling}\" in the same answer"
                                : null;
                        if (why is null)
                        {
                            fresh.Add(candidate);
                        }
                        else
                        {
                            rejected.Add(new RejectedTask(site, candidate, why));
                        }
                    }

                    var judged = await Task.WhenAll(fresh.Select((candidate, i) => feasibility.AskAsync(
                        $"{item}/{i.ToString(CultureInfo.InvariantCulture)}", FeasibilityMessages(site, candidate), reply => JudgeStage.Check(reply.Text), cancellationToken)));
                    foreach (var (candidate, verdict) in fresh.Zip(judged))
                    {
                        switch (verdict)
                        {
                            case TeacherOutcome<Verdict>.Failed why:
                                rejected.Add(new RejectedTask(site, candidate, $"feasibility not judged: {why.Reason}"));
                                break;
                            case TeacherOutcome<Verdict>.Accepted { Value.Yes: false } no:
                                rejected.Add(new RejectedTask(site, candidate, $"infeasible: {no.Value.Reason}"));
                                break;
                            case TeacherOutcome<Verdict>.Accepted _ when count >= options.PerSite:
                                rejected.Add(new RejectedTask(site, candidate, "feasible, but the site's quota was already full"));
                                break;
                            case TeacherOutcome<Verdict>.Accepted yes:
                                known.Add(candidate);
                                count++;
                                accepted.Add(new GeneratedTask($"{site}-task-{count.ToString(CultureInfo.InvariantCulture)}", site, candidate, yes.Value.Reason)
                                {
                                    Teacher = session.ModelFor(GenerateStage),
                                    Requests = EquatableList.Of(list.Reply.RequestId, yes.Reply.RequestId).OfType<string>().ToEquatableList(),
                                });
                                break;
                        }
                    }

                    progress?.Report(accepted.Count);
                }
            }
        }
        catch (BudgetExceededException e)
        {
            return new TaskGenerationResult(accepted, rejected, failed, requests, e.Message);
        }

        return new TaskGenerationResult(accepted, rejected, failed, requests, null);
    }

    /// <summary>The request for new tasks of <paramref name="site"/>, showing <paramref name="examples"/>.</summary>
    public IReadOnlyList<ChatMessage> GenerateMessages(string site, IReadOnlyList<string> examples) =>
    [
        new ChatMessage(ChatRole.System, EmbeddedText.Read(typeof(TaskGenerator), "generate.system.md")),
        new ChatMessage(ChatRole.User, GenerateUser.Fill(
            ("site", site),
            ("notes", options.Notes.Render(site)),
            ("examples", examples.Count == 0 ? "(none)" : string.Join("\n", examples.Select((e, i) => $"{i + 1}. {e}"))),
            ("count", options.PerRequest.ToString(CultureInfo.InvariantCulture)))),
    ];

    public IReadOnlyList<ChatMessage> FeasibilityMessages(string site, string task) =>
    [
        new ChatMessage(ChatRole.System, EmbeddedText.Read(typeof(TaskGenerator), "feasibility.system.md")),
        new ChatMessage(ChatRole.User, FeasibilityUser.Fill(("site", site), ("notes", options.Notes.Render(site)), ("task", task))),
    ];

    /// <summary>The tasks of a numbered (or bulleted) list answer, without surrounding quotes.</summary>
    public static Checked<IReadOnlyList<string>> ParseList(string answer)
    {
        var items = ListItem().Matches(answer).Select(m => m.Groups[1].Value.Trim().Trim('"', '\u201C', '\u201D').Trim()).Where(t => t.Length > 0).ToList();
        return items.Count > 0
            ? Checked<IReadOnlyList<string>>.Ok(items)
            : Checked<IReadOnlyList<string>>.Fail("No tasks were found. Answer with a numbered list and nothing else: '1. <task>', '2. <task>', …");
    }

    private static string Duplicate(NearDuplicateMatch match, string what) => match.IsExact
        ? $"exact duplicate of {what}: \"{match.Query}\""
        : $"near-duplicate (ROUGE-L {match.Score.ToString("0.00", CultureInfo.InvariantCulture)}) of {what}: \"{match.Query}\"";
}

/// <summary>Writes generated and rejected tasks as JSONL; a generated task line reads back as a query list entry (<c>intent</c>, <c>sites</c>).</summary>
internal static class TaskJsonl
{
    public static string Format(GeneratedTask task) => JsonSerializer.Serialize(
        new GeneratedTaskLine
        {
            Id = task.Id,
            Site = task.Site,
            Sites = [task.Site],
            Intent = task.Intent,
            Feasibility = task.Feasibility,
            Teacher = task.Teacher,
            Requests = task.Requests?.ToList(),
        },
        TaskJsonContext.Relaxed.GeneratedTaskLine);

    public static string Format(RejectedTask task) => JsonSerializer.Serialize(
        new RejectedTaskLine { Site = task.Site, Intent = task.Intent, Reason = task.Reason }, TaskJsonContext.Relaxed.RejectedTaskLine);

    /// <summary>Where the rejected candidates go: <c>tasks.jsonl</c> → <c>tasks.rejected.jsonl</c>.</summary>
    public static string RejectedPathBeside(string outPath) => OutputPaths.Beside(outPath, "rejected.jsonl");
}

internal sealed record GeneratedTaskLine
{
    [JsonPropertyName("id")] public string? Id { get; init; }

    [JsonPropertyName("site")] public string? Site { get; init; }

    [JsonPropertyName("sites")] public List<string>? Sites { get; init; }

    [JsonPropertyName("intent")] public string? Intent { get; init; }

    [JsonPropertyName("feasibility")] public string? Feasibility { get; init; }

    [JsonPropertyName("teacher")] public string? Teacher { get; init; }

    [JsonPropertyName("requests")] public List<string>? Requests { get; init; }
}

internal sealed record RejectedTaskLine
{
    [JsonPropertyName("site")] public string? Site { get; init; }

    [JsonPropertyName("intent")] public string? Intent { get; init; }

    [JsonPropertyName("reason")] public string? Reason { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GeneratedTaskLine))]
[JsonSerializable(typeof(RejectedTaskLine))]
internal sealed partial class TaskJsonContext : JsonSerializerContext
{
    public static TaskJsonContext Relaxed { get; } = new(JsonlFile.RelaxedWriteOptions());
}
