using PlanAct.Pipeline;
using PlanAct.Stages.Annotate;
using PlanAct.Stages.Catalogue;
using PlanAct.Stages.Generation;

namespace PlanAct.Stages.Expand;

/// <summary>expand: synthetic query-plan pairs from seed plans, until a count is accepted.</summary>
internal sealed class ExpandDefinition : StageDefinition
{
    private static readonly ExpandOptions Defaults = new() { Count = 1 };

    public override string Name => ExpandPrompts.StageName;

    public override int Rank => 30;

    public override string Description =>
        "Generate new query-plan pairs from seed plans (SPEC §2.4): each request shows k seeds of one site (sites in turn) and asks for m new pairs; "
        + "pairs that are malformed, start from a seed number not shown, repeat or nearly repeat (ROUGE-L) a seed or accepted query, or resemble a test query are rejected with their reason. "
        + "Runs until --count records are accepted or --max-requests are spent.";

    public override IReadOnlyList<string> Examples =>
        ["planact expand --plans plans.jsonl --count 100 --out synthetic.jsonl --decontaminate samples/webarena-lite-test-intents.json --model gpt-4o-mini"];

    public override IReadOnlyList<StageInput> Inputs =>
        [StageInput.OutputOf(AnnotateStage.StageName, "--plans", "Seed plan records (JSONL): annotate output or any planact plan file.")];

    public override StageOutput Output => new(
        "The accepted synthetic plan records (JSONL), written whole at the end; beside it <out>.answers.jsonl, .rejected.jsonl and .report.json.",
        options => PairFilterOptions.OutputName("synthetic", options),
        "synthetic-planner");

    public override IReadOnlyList<StageOption> Options =>
    [
        new("count", StageOptionType.Int, "How many new plan records to accept.") { RequiredBecause = "say how many synthetic plans to accept" },
        new("per_request", StageOptionType.Int, "New pairs asked for per request.") { Default = Defaults.PerRequest },
        new("seeds", StageOptionType.Int, "Seed pairs of one site shown per request.") { Default = Defaults.SeedsPerRequest },
        new("sites", StageOptionType.List, "Sites to rotate over, in this order (comma-separated on the command line).") { DefaultText = "every site of the seeds" },
        new("max_requests", StageOptionType.Int, "Requests to spend at most.") { DefaultText = "3 × count / per-request" },
        new("seed", StageOptionType.Int, "Seed of the seed draws: the same seed gives the same requests.") { Default = 0, Min = int.MinValue },
        .. PairFilterOptions.All,
    ];

    public override string InvalidItems => "seed records or query-list entries";

    public override bool SplitsByItem => false;

    public override string ExpectedRequests(RunInput input, StageOptionValues options)
    {
        var settings = Settings(options);
        return $"{(settings.Count + settings.PerRequest - 1) / settings.PerRequest} to {settings.RequestBudget} requests ({settings.PerRequest} pairs each, until {settings.Count} are accepted)"
            + (settings.Filter.Cot ? $", then {settings.Count} reasoning requests (one per accepted pair)" : "");
    }

    public override async Task<StageJob> OpenAsync(StageSetup setup, CancellationToken cancellationToken)
    {
        var job = await ExpandJob.LoadAsync(setup.Inputs["--plans"], Settings(setup.Options), setup.Problems, cancellationToken);
        return new GenerationJob(job.RunAsync, setup, Output.TrainingData!);
    }

    private static ExpandOptions Settings(StageOptionValues options) => new()
    {
        Count = options.Int("count"),
        PerRequest = options.Int("per_request"),
        SeedsPerRequest = options.Int("seeds"),
        Sites = options.List("sites"),
        MaxRequests = options.IntOrNull("max_requests"),
        RandomSeed = options.Int("seed"),
        Filter = PairFilterOptions.Read(options),
    };
}
