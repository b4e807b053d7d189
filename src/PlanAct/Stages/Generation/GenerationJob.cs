using System.Diagnostics;
using PlanAct.IO;
using PlanAct.Pipeline;
using PlanAct.Pipeline.Nodes;
using PlanAct.Stages.Catalogue;
using PlanAct.Teacher;
using PlanAct.Teacher.Batch;
using PlanAct.Text;

namespace PlanAct.Stages.Generation;

/// <summary>A generation stage's work (expand, augment): requests asked, then their pairs selected into the output.</summary>
internal sealed class GenerationJob(
    Func<TeacherSession, string, TeacherMode, BatchRunner?, IProgress<StageProgress>?, CancellationToken, Task<GenerationResult>> run,
    StageSetup setup,
    string trainingData) : StageJob
{
    public override async Task<NodeResult> RunAsync(StageRunContext context, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var session = context.Session ?? throw new InvalidOperationException("a generation stage asks a teacher: open a session");
        var outPath = setup.OutPath;
        var reportPath = OutputPaths.Beside(outPath, "report.json");
        var result = await run(session, outPath, context.Mode, context.Batch, context.Progress, cancellationToken);
        var node = TeacherNodeResult.Of(result, context.Mode, outPath, trainingData, clock.Elapsed);
        if (result.Report is null)
        {
            return node;
        }

        List<string> details =
        [
            .. result.Report.Lines(),
            $"records -> {outPath}; rejected pairs -> {OutputPaths.Beside(outPath, "rejected.jsonl")}; report -> {reportPath}",
        ];
        if (result.Summary.StoppedBecause is null && result.Summary.Pending.Count == 0 && result.StoppedBecause is { } why)
        {
            details.Add(why);
        }

        if (result.WithoutReasoning > 0)
        {
            details.Add($"{result.WithoutReasoning} of {result.Report.Accepted} accepted pairs got no valid reasoning and are left out (see {QuarantineFile.PathBeside(GenerationRun.ThinkingPath(outPath))})");
        }

        return node with { Details = details };
    }

    private static string Answers(string outPath) => OutputPaths.Beside(outPath, "answers.jsonl");
}

/// <summary>The options expand and augment share: what new pairs are checked against, and how much of each seed page they show.</summary>
internal static class PairFilterOptions
{
    public static IReadOnlyList<StageOption> All { get; } =
    [
        new("decontaminate", StageOptionType.Paths, "Test queries no generated query may resemble: text (one per line), JSON array or JSONL with intent/task/query. Repeatable."),
        new("similarity", StageOptionType.Number, "ROUGE-L F at or above which two queries are near-duplicates.") { Default = NearDuplicateIndex.DefaultThreshold, Above = 0, AtMost = 1 },
        new("max_page_tokens", StageOptionType.Int, "Cut each seed's first page (planner view) to this many tokens.") { Default = PairFilterSettings.DefaultMaxPageTokens },
        new("cot", StageOptionType.Bool, "Chain of thought: one more request per accepted pair writes a planner's thinking and reasoning from its query and first page only; pairs without valid reasoning are left out.")
        {
            Default = false,
        },
    ];

    public static PairFilterSettings Read(StageOptionValues options) => new()
    {
        TestQueryFiles = options.List("decontaminate") ?? [],
        Similarity = options.Number("similarity"),
        MaxPageTokens = options.Int("max_page_tokens"),
        Cot = options.Bool("cot"),
    };

    /// <summary>The output's file name: <paramref name="name"/>.jsonl, or .cot.jsonl with CoT.</summary>
    public static string OutputName(string name, StageOptionValues options) => options.Bool("cot") ? $"{name}.cot.jsonl" : $"{name}.jsonl";
}
