using PlanAct.Pipeline;
using PlanAct.Plans;
using PlanAct.Stages.Catalogue;
using PlanAct.Trajectories;

namespace PlanAct.Stages.Annotate;

/// <summary>annotate: a grounded plan for every trajectory (grounded, or CoT in three rounds).</summary>
internal sealed class AnnotateDefinition : StageDefinition
{
    private static readonly AnnotateOptions Defaults = new();

    public override string Name => AnnotateStage.StageName;

    public override int Rank => 10;

    public override string Description =>
        "Write a grounded plan for every trajectory with the teacher (## Step N / Reasoning / Description / Step / Actions), validated and re-asked; failures go to <out>.quarantine.jsonl.";

    public override IReadOnlyList<string> Examples =>
    [
        "planact annotate --input samples/trajectories.jsonl --out plans.jsonl --model gpt-4o-mini",
        "planact annotate --input samples/trajectories.jsonl --out plans.jsonl --model gpt-4o-mini --dry-run",
        "planact annotate --input samples/trajectories.jsonl --out plans.cot.jsonl --model gpt-4o-mini --mode cot",
    ];

    public override IReadOnlyList<StageInput> Inputs => [StageInput.Trajectories("Trajectories: SFT .json, planact .jsonl, or a folder of them.")];

    public override StageOutput Output => new(
        "Plan records (JSONL). Appended as plans arrive; a re-run adds only what is missing.",
        options => options.Text("mode") == "cot" ? "plans.cot.jsonl" : "plans.jsonl",
        "planner");

    public override IReadOnlyList<StageOption> Options =>
    [
        new("mode", StageOptionType.Choice, "grounded: one request per trajectory. cot: describe each action from the pages before and after it, reduce the descriptions to a plan, "
            + "then rewrite its reasoning as if only the task and first page were known (the thinking is kept as the record's trace).")
        {
            Choices = ["grounded", "cot"],
            Default = "grounded",
        },
        new("examples", StageOptionType.Path, "YAML in-context examples per site.") { DefaultText = "the built-in ones, written for samples/" },
        new("max_page_tokens", StageOptionType.Int, "Cut the first page's planner view to this many tokens.") { Default = Defaults.MaxPageTokens },
        new("describe_page_tokens", StageOptionType.Int, "CoT mode: cut each page before and after an action (executor view) to this many tokens.") { Default = Defaults.DescribePageTokens },
    ];

    public override string InvalidItems => "trajectories";

    public override string ExpectedRequests(RunInput input, StageOptionValues options) => options.Text("mode") == "cot"
        ? $"{input.Steps + (2 * input.Trajectories)} requests (one per action, then two per trajectory)"
        : $"{input.Trajectories} requests (one per trajectory)";

    public override Task<StageJob> OpenAsync(StageSetup setup, CancellationToken cancellationToken)
    {
        var options = setup.Options;
        var settings = new AnnotateOptions
        {
            Mode = options.Text("mode") == "cot" ? AnnotateMode.Cot : AnnotateMode.Grounded,
            MaxPageTokens = options.Int("max_page_tokens"),
            DescribePageTokens = options.Int("describe_page_tokens"),
            Examples = options.Text("examples") is { } path ? AnnotationExamples.Load(path) : AnnotationExamples.BuiltIn,
        };
        var input = setup.Inputs["--input"];
        return Task.FromResult<StageJob>(new ItemStageJob<Trajectory, PlanRecord>(
            session => new AnnotateStage(settings, session.ModelFor(Name)),
            () => TrajectoryFiles.ReadAsync(input, setup.TrajectoryOptions, cancellationToken),
            setup.OutPath,
            setup.Shard,
            Output.TrainingData));
    }
}
