using PlanAct.Pipeline;
using PlanAct.Stages.Catalogue;
using PlanAct.Stages.Classify;
using PlanAct.Stages.Generation;

namespace PlanAct.Stages.Augment;

/// <summary>augment: one targeted pair from every plan labelled with a failure class.</summary>
internal sealed class AugmentDefinition : StageDefinition
{
    public override string Name => AugmentPrompts.StageName;

    public override int Rank => 50;

    public override string Description =>
        "Make exactly one new pair from every labelled record whose class is not Other (SPEC §2.5): same intent, site and interface names, other values and wording; "
        + "checked and deduplicated like expand (against every input query and --decontaminate), written with origin \"targeted\".";

    public override IReadOnlyList<string> Examples =>
        ["planact augment --input labelled.jsonl --out targeted.jsonl --decontaminate samples/webarena-lite-test-intents.json --model gpt-4o-mini"];

    public override IReadOnlyList<StageInput> Inputs => [StageInput.OutputOf(ClassifyStage.StageName, "--input", "Labelled plan records (classify output).")];

    public override StageOutput Output => new(
        "The targeted plan records (JSONL), written whole at the end; beside it <out>.answers.jsonl, .rejected.jsonl and .report.json.",
        options => PairFilterOptions.OutputName("targeted", options),
        "targeted-planner");

    public override IReadOnlyList<StageOption> Options => PairFilterOptions.All;

    public override string InvalidItems => "records or query-list entries";

    public override bool SplitsByItem => false;

    public override string ExpectedRequests(RunInput input, StageOptionValues options) => $"at most {input.Trajectories} requests (one per plan labelled with a failure class)"
        + (options.Bool("cot") ? ", then one reasoning request per accepted pair" : "");

    public override async Task<StageJob> OpenAsync(StageSetup setup, CancellationToken cancellationToken)
    {
        var job = await AugmentJob.LoadAsync(setup.Inputs["--input"], PairFilterOptions.Read(setup.Options), setup.Problems, cancellationToken);
        return new GenerationJob(job.RunAsync, setup, Output.TrainingData!)
        {
            Notes = [$"augment: {job.Targets} labelled records to augment, {job.Others} labelled Other or unlabelled"],
        };
    }
}
