using PlanAct.Inspection;
using PlanAct.IO;
using PlanAct.Teacher.Cost;
using PlanAct.Teacher.Ledger;
using PlanAct.Text;
using PlanAct.Training;
using PlanAct.Training.Profiles;
using PlanAct.Trajectories;

namespace PlanAct.Export;

internal sealed record ExportOptions(IExportFormat Formatter)
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

    public static async Task<ExportReport> WriteAsync(
        string path, IAsyncEnumerable<TrainingExample> examples, ExportOptions options, CancellationToken cancellationToken = default)
    {
        var byKind = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var bySite = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var teachers = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var trajectories = new HashSet<string>(StringComparer.Ordinal);
        var plans = new HashSet<string>(StringComparer.Ordinal);
        var requests = new HashSet<string>(StringComparer.Ordinal);
        var tokens = new List<int>();
        var overlong = new List<OverlongExample>();
        var withReasoning = 0;

        async IAsyncEnumerable<ExportedExample> Exported()
        {
            await foreach (var example in examples.WithCancellation(cancellationToken))
            {
                var messages = Messages(ExampleJsonl.EnsureValid(example), options.WithReasoning, options.Profile);
                var count = messages.Sum(m => options.Counter.Count(m.Content));
                if (count > options.MaxTokens)
                {
                    overlong.Add(new OverlongExample(example.Id, count));
                    continue;
                }

                tokens.Add(count);
                Increment(byKind, ExampleNames.Of(example.Kind));
                Increment(bySite, example.Site);
                if (example.Teacher is { } teacher)
                {
                    Increment(teachers, teacher);
                }

                if (example.Source.Trajectory is { } trajectory)
                {
                    trajectories.Add(trajectory);
                }

                if (example.Source.Plan is { } plan)
                {
                    plans.Add(plan);
                }

                requests.UnionWith(example.Requests ?? EquatableList<string>.Empty);
                withReasoning += string.IsNullOrWhiteSpace(example.Reasoning) ? 0 : 1;
                yield return new ExportedExample(example, RoleOf(example), messages);
            }
        }

        var result = await options.Formatter.WriteAsync(path, Exported(), cancellationToken);
        return new ExportReport(result.Written, byKind, bySite, Distribution.Of(tokens), teachers, trajectories.Count, plans.Count, requests, withReasoning, overlong)
        {
            CardFrontMatter = result.CardFrontMatter,
            ValidationWritten = result.ValidationWritten,
        };
    }

    /// <summary>
    /// Exports files of example, plan or replan records (plans and replans become planner and replanner examples; several
    /// files are interleaved by <see cref="ExportOptions.Seed"/>) and writes the dataset card at <paramref name="cardPath"/>,
    /// the cost priced from the ledger: what <c>planact export</c> and the pipeline's export do.
    /// </summary>
    public static async Task<(ExportReport Report, int PagesCut)> ExportFileAsync(
        IReadOnlyList<string> inputPaths, string outputPath, string cardPath, ExportOptions options, ExamplePageOptions pages, CardSources sources, ProblemLog problems, CancellationToken cancellationToken = default)
    {
        var trajectories = options.Trajectories is { } trajectoriesPath
            ? await PlannerHindsightFindings.FindAsync(inputPaths, trajectoriesPath, new TrajectoryReadOptions { Problems = problems }, cancellationToken)
            : null;
        var hindsight = new HindsightScreen(options.AllowHindsight, options.WithReasoning, trajectories);
        var builders = new ExampleBuilders(pages with { Profile = options.Profile }, hindsight);
        var report = await WriteAsync(outputPath, TrainingMix.ReadAsync(inputPaths, options.Seed, builders, problems, cancellationToken), options, cancellationToken);
        report = report with
        {
            Refused = [.. builders.Refusals.Refused],
            Hindsight = [.. hindsight.Flagged],
            HindsightKept = hindsight.Allow,
            PlansCheckedAgainstTrajectories = trajectories?.Checked,
        };
        var context = new CardContext(string.Join("`, `", inputPaths), outputPath, options.Formatter.Name, options.WithReasoning, options.MaxTokens, sources.Command, DateTimeOffset.UtcNow)
        {
            Profile = options.Profile,
            Trainer = options.Formatter.TrainerSnippet(outputPath),
            Ledger = sources.Ledger,
            Cost = await PriceAsync(report, sources, cancellationToken),
        };
        await AtomicFile.WriteAllTextAsync(cardPath, DatasetCard.Render(report, context), cancellationToken);
        return (report, builders.PagesCut);
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

    private static void Increment(SortedDictionary<string, int> counts, string key) => counts[key] = counts.GetValueOrDefault(key) + 1;
}
