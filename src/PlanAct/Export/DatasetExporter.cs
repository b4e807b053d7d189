using PlanAct.Inspection;
using PlanAct.IO;
using PlanAct.Teacher.Cost;
using PlanAct.Teacher.Ledger;
using PlanAct.Text;
using PlanAct.Training;
using PlanAct.Training.Profiles;
using PlanAct.Trajectories;

namespace PlanAct.Export;

internal sealed record ExportOptions
{
    /// <summary>Examples with more tokens than this are left out and reported; nothing is ever cut.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>Put the reasoning in front of the target as <c>&lt;think&gt;…&lt;/think&gt;</c>.</summary>
    public bool WithReasoning { get; init; }

    public TokenCounter Counter { get; init; } = TokenCounter.O200k;

    /// <summary>The prompt profile the examples are laid out in.</summary>
    public PromptProfile Profile { get; init; } = PromptProfile.PlanAct;

    /// <summary>Keep planner and replanner examples with hindsight findings (still listed and marked in the card) instead of leaving them out.</summary>
    public bool AllowHindsight { get; init; }

    /// <summary>The seed that interleaves several inputs (<see cref="TrainingMix"/>).</summary>
    public int Seed { get; init; }

    /// <summary>The trajectories of grounded plans, to check the plans against their later pages, notes and final answer (<see cref="PlannerHindsightFindings"/>), or null.</summary>
    public string? Trajectories { get; init; }
}

/// <summary>Where a dataset card's provenance comes from: the command that made it, and the ledger and prices of its cost.</summary>
internal sealed record CardSources(string Command, string Ledger, PriceTable Prices);

/// <summary>One output of an export: its format, where it is written, and where its dataset card goes.</summary>
internal sealed record ExportTarget(IExportFormat Format, string Output, string Card);

/// <summary>An example left out because it is longer than the token limit.</summary>
internal sealed record OverlongExample(string Id, int Tokens);

/// <summary>What an export wrote: the numbers the dataset card shows.</summary>
internal sealed record ExportReport(
    int Written,
    IReadOnlyDictionary<string, int> ByKind,
    IReadOnlyDictionary<string, int> BySite,
    Distribution Tokens,
    IReadOnlyDictionary<string, int> Teachers,
    int SourceTrajectories,
    int SourcePlans,
    IReadOnlySet<string> TeacherRequests,
    int WithReasoning,
    IReadOnlyList<OverlongExample> Overlong)
{
    /// <summary>Examples the profile could not be made from their records, with the reason.</summary>
    public IReadOnlyList<RefusedExample> Refused { get; init; } = [];

    /// <summary>Every hindsight finding in a planner or replanner example (<see cref="HindsightKept"/>: the examples were kept, else left out).</summary>
    public IReadOnlyList<HindsightFlag> Hindsight { get; init; } = [];

    /// <summary>Examples with hindsight findings were kept (<c>--allow-hindsight</c>).</summary>
    public bool HindsightKept { get; init; }

    /// <summary>With <c>--trajectories</c>: the grounded plans checked against their trajectory's later material; null without.</summary>
    public int? PlansCheckedAgainstTrajectories { get; init; }

    /// <summary>The examples with hindsight findings, by kind (<c>planner</c>, <c>replanner</c>).</summary>
    public IReadOnlyDictionary<string, int> HindsightByKind() =>
        Hindsight.DistinctBy(f => f.Id).GroupBy(f => ExampleNames.Of(f.Kind)).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>The YAML front matter the format needs at the top of its card (Hugging Face folders), or null.</summary>
    public string? CardFrontMatter { get; init; }

    /// <summary>Of <see cref="Written"/>, the examples in the validation file beside the output, or null without one.</summary>
    public int? ValidationWritten { get; init; }
}

/// <summary>
/// Writes examples in a fine-tuning format, whole or not at all. Tokens are counted over the message contents as
/// exported (reasoning included when asked), without a chat template's overhead.
/// </summary>
internal static class DatasetExporter
{
    /// <summary>
    /// The messages as exported: with <paramref name="withReasoning"/>, a non-blank reasoning and a profile that keeps
    /// the reasoning apart from the target, the target becomes <c>&lt;think&gt;\n{reasoning}\n&lt;/think&gt;\n\n{target}</c>;
    /// otherwise the messages are unchanged (a profile that shows reasoning has put it in the target already).
    /// </summary>
    public static IReadOnlyList<ExampleMessage> Messages(TrainingExample example, bool withReasoning, PromptProfile? profile = null)
    {
        if (!withReasoning || string.IsNullOrWhiteSpace(example.Reasoning) || !(profile ?? PromptProfile.PlanAct).KeepsReasoningApart(RoleOf(example)))
        {
            return example.Messages;
        }

        var target = ExampleMessage.Assistant($"<think>\n{example.Reasoning.Trim()}\n</think>\n\n{example.Target.Content}");
        return [.. example.Prompt, target];
    }

    /// <summary>The agent role an example trains.</summary>
    public static AgentRole RoleOf(TrainingExample example) => example.Kind switch
    {
        ExampleKind.Planner => AgentRole.Planner,
        ExampleKind.Replanner => AgentRole.Replanner,
        _ => example.Context?.Role ?? AgentRole.Executor,
    };

    /// <summary>
    /// Writes the examples in every format of <paramref name="outputs"/> from one pass: each example is checked, laid
    /// out and token-counted once, and every format writes it; gives each output's report, in order.
    /// </summary>
    public static async Task<IReadOnlyList<ExportReport>> WriteAsync(
        IReadOnlyList<(IExportFormat Format, string Path)> outputs, IAsyncEnumerable<TrainingExample> examples, ExportOptions options, CancellationToken cancellationToken = default)
    {
        var tally = new ExportTally(options);

        async IAsyncEnumerable<ExportedExample> Exported()
        {
            await foreach (var example in examples.WithCancellation(cancellationToken))
            {
                if (tally.Admit(example) is { } exported)
                {
                    yield return exported;
                }
            }
        }

        var results = await AsyncFanOut.ShareAsync(
            Exported(), [.. outputs.Select(o => (Func<IAsyncEnumerable<ExportedExample>, Task<FormatResult>>)(stream => o.Format.WriteAsync(o.Path, stream, cancellationToken)))], cancellationToken);
        var shared = tally.Report();
        return [.. results.Select(r => shared with { Written = r.Written, CardFrontMatter = r.CardFrontMatter, ValidationWritten = r.ValidationWritten })];
    }

    /// <summary>
    /// Exports files of example, plan or replan records (plans and replans become planner and replanner examples; several
    /// files are interleaved by <see cref="ExportOptions.Seed"/>) in every target's format, each example built once, and
    /// writes each target's dataset card, the cost priced from the ledger once: what <c>planact export</c> and the
    /// pipeline's export do. Gives each target's report, in order.
    /// </summary>
    public static async Task<(IReadOnlyList<ExportReport> Reports, int PagesCut)> ExportFileAsync(
        IReadOnlyList<string> inputPaths, IReadOnlyList<ExportTarget> targets, ExportOptions options, ExamplePageOptions pages, CardSources sources, ProblemLog problems, CancellationToken cancellationToken = default)
    {
        var trajectories = options.Trajectories is { } trajectoriesPath
            ? await PlannerHindsightFindings.FindAsync(inputPaths, trajectoriesPath, new TrajectoryReadOptions { Problems = problems }, cancellationToken)
            : null;
        var hindsight = new HindsightScreen(options.AllowHindsight, options.WithReasoning, trajectories);
        var builders = new ExampleBuilders(pages with { Profile = options.Profile }, hindsight);
        var reports = await WriteAsync([.. targets.Select(t => (t.Format, t.Output))], TrainingMix.ReadAsync(inputPaths, options.Seed, builders, problems, cancellationToken), options, cancellationToken);
        reports = [.. reports.Select(r => r with
        {
            Refused = [.. builders.Refusals.Refused],
            Hindsight = [.. hindsight.Flagged],
            HindsightKept = hindsight.Allow,
            PlansCheckedAgainstTrajectories = trajectories?.Checked,
        })];
        await WriteCardsAsync(inputPaths, targets, reports, options, sources, cancellationToken);
        return (reports, builders.PagesCut);
    }

    /// <summary>Each target's dataset card for its report, the cost priced from the ledger once.</summary>
    public static async Task WriteCardsAsync(
        IReadOnlyList<string> inputPaths, IReadOnlyList<ExportTarget> targets, IReadOnlyList<ExportReport> reports, ExportOptions options, CardSources sources, CancellationToken cancellationToken)
    {
        var cost = await PriceAsync(reports[0], sources, cancellationToken);
        foreach (var (target, report) in targets.Zip(reports))
        {
            var context = new CardContext(string.Join("`, `", inputPaths), target.Output, target.Format.Name, options.WithReasoning, options.MaxTokens, sources.Command, DateTimeOffset.UtcNow)
            {
                Profile = options.Profile,
                Trainer = target.Format.TrainerSnippet(target.Output),
                Ledger = sources.Ledger,
                Cost = cost,
            };
            await AtomicFile.WriteAllTextAsync(target.Card, DatasetCard.Render(report, context), cancellationToken);
        }
    }

    /// <summary>The cost of the records' requests, or null when there are none to price or no ledger to price them from.</summary>
    private static async Task<RecordsCost?> PriceAsync(ExportReport report, CardSources sources, CancellationToken cancellationToken)
    {
        if (report.TeacherRequests.Count == 0 || !File.Exists(sources.Ledger))
        {
            return null;
        }

        await using var ledger = await TeacherLedger.OpenReadOnlyAsync(sources.Ledger, cancellationToken);
        return await RecordsCost.OfAsync(ledger, report.TeacherRequests, sources.Prices, cancellationToken);
    }

}

/// <summary>What the dataset card counts of one exported example, without its messages.</summary>
internal sealed record TalliedExample(string Kind, string Site, string? Teacher, string? Trajectory, string? Plan, EquatableList<string>? Requests, bool WithReasoning, int Tokens)
{
    public static TalliedExample Of(TrainingExample example, int tokens) => new(
        ExampleNames.Of(example.Kind), example.Site, example.Teacher, example.Source.Trajectory, example.Source.Plan, example.Requests, !string.IsNullOrWhiteSpace(example.Reasoning), tokens);
}

/// <summary>
/// What an export counts of the examples it writes (the dataset card's numbers), as each is admitted: checked, laid
/// out and token-counted once. The counts do not depend on the order the examples come in, except
/// <see cref="Overlong"/>'s, which lists them in that order.
/// </summary>
internal sealed class ExportTally(ExportOptions options)
{
    private readonly SortedDictionary<string, int> _byKind = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, int> _bySite = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, int> _teachers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _trajectories = new(StringComparer.Ordinal);
    private readonly HashSet<string> _plans = new(StringComparer.Ordinal);
    private readonly HashSet<string> _requests = new(StringComparer.Ordinal);
    private readonly List<int> _tokens = [];
    private readonly TrajectoryTokenCounts _counts = new(options.Counter);
    private int _withReasoning;

    /// <summary>The examples left out for their length, in the order they came.</summary>
    public List<OverlongExample> Overlong { get; } = [];

    /// <summary>The example as exported, counted; null when it has more tokens than the limit (it is in <see cref="Overlong"/>).</summary>
    public ExportedExample? Admit(TrainingExample example)
    {
        var (exported, tokens) = Measure(example);
        if (Fits(tokens))
        {
            Count(TalliedExample.Of(example, tokens));
            return exported;
        }

        Overlong.Add(new OverlongExample(example.Id, tokens));
        return null;
    }

    /// <summary>The example checked and laid out as exported, with its tokens; not counted.</summary>
    public (ExportedExample Example, int Tokens) Measure(TrainingExample example)
    {
        var messages = DatasetExporter.Messages(ExampleJsonl.EnsureValid(example), options.WithReasoning, options.Profile);
        return (new ExportedExample(example, DatasetExporter.RoleOf(example), messages), _counts.Count(ExampleSplit.GroupOf(example), messages));
    }

    /// <summary>Whether an example of <paramref name="tokens"/> is within the limit.</summary>
    public bool Fits(int tokens) => !(tokens > options.MaxTokens);

    /// <summary>Counts an exported example.</summary>
    public void Count(TalliedExample example)
    {
        _tokens.Add(example.Tokens);
        Increment(_byKind, example.Kind);
        Increment(_bySite, example.Site);
        if (example.Teacher is { } teacher)
        {
            Increment(_teachers, teacher);
        }

        if (example.Trajectory is { } trajectory)
        {
            _trajectories.Add(trajectory);
        }

        if (example.Plan is { } plan)
        {
            _plans.Add(plan);
        }

        _requests.UnionWith(example.Requests ?? EquatableList<string>.Empty);
        _withReasoning += example.WithReasoning ? 1 : 0;
    }

    /// <summary>The numbers so far, for every format (<see cref="ExportReport.Written"/> is each format's own).</summary>
    public ExportReport Report() =>
        new(0, _byKind, _bySite, Distribution.Of(_tokens), _teachers, _trajectories.Count, _plans.Count, _requests, _withReasoning, Overlong);

    private static void Increment(SortedDictionary<string, int> counts, string key) => counts[key] = counts.GetValueOrDefault(key) + 1;
}

/// <summary>
/// Token counts of examples that come a trajectory at a time: the examples of one trajectory repeat its messages (the
/// system prompt with its plan, the earlier turns), so each distinct message is counted once per trajectory. The
/// counts are those of every message counted apart; nothing is kept past the trajectory.
/// </summary>
internal sealed class TrajectoryTokenCounts(TokenCounter counter)
{
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private string? _trajectory;

    /// <summary>The tokens of every message's content, without a chat template's overhead.</summary>
    /// <param name="trajectory">What the example was made from (<see cref="ExampleSplit.GroupOf"/>): the counts kept are this one's.</param>
    /// <param name="messages">The messages as exported.</param>
    public int Count(string trajectory, IReadOnlyList<ExampleMessage> messages)
    {
        if (_trajectory != trajectory)
        {
            _counts.Clear();
            _trajectory = trajectory;
        }

        var total = 0;
        foreach (var message in messages)
        {
            if (!_counts.TryGetValue(message.Content, out var count))
            {
                count = _counts[message.Content] = counter.Count(message.Content);
            }

            total += count;
        }

        return total;
    }
}
