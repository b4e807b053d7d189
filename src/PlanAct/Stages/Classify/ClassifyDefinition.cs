using PlanAct.Pipeline;
using PlanAct.Plans;
using PlanAct.Stages.Annotate;
using PlanAct.Stages.Catalogue;

namespace PlanAct.Stages.Classify;

/// <summary>classify: every plan record labelled with a failure class of its site, or Other.</summary>
internal sealed class ClassifyDefinition : StageDefinition
{
    public override string Name => ClassifyStage.StageName;

    public override int Rank => 40;

    public override string Description =>
        "Label every plan record with the failure class of its site it would help with, or Other (SPEC §2.5): the teacher answers ## Reasoning / ## Classification, "
        + "checked against the site's class names and re-asked; records of sites without classes are skipped and listed.";

    public override IReadOnlyList<string> Examples => ["planact classify --plans plans.jsonl --classes samples/failure-classes.yaml --out labelled.jsonl --model gpt-4o-mini"];

    public override IReadOnlyList<StageInput> Inputs => [StageInput.OutputOf(AnnotateStage.StageName, "--plans", "Plan records (JSONL) to label.")];

    public override StageOutput Output => new("The records with their label (JSONL). Appended as labels arrive; a re-run adds only what is missing.", _ => "labelled.jsonl", null);

    public override IReadOnlyList<StageOption> Options =>
    [
        new("classes", StageOptionType.Path, "Failure classes per site (YAML), e.g. samples/failure-classes.yaml.")
        {
            RequiredBecause = "name the failure classes file (YAML; e.g. samples/failure-classes.yaml)",
        },
    ];

    public override string InvalidItems => "plan records";

    public override string ExpectedRequests(RunInput input, StageOptionValues options) => $"{input.Trajectories} requests (one per plan)";

    public override Task<StageJob> OpenAsync(StageSetup setup, CancellationToken cancellationToken)
    {
        var classes = FailureClasses.Load(setup.Options.Text("classes")!);
        var plans = setup.Inputs["--plans"];
        return Task.FromResult<StageJob>(new ItemStageJob<PlanRecord, PlanRecord>(
            _ => new ClassifyStage(classes),
            () => PlanJsonl.ReadAsync(plans, setup.Problems, cancellationToken),
            setup.OutPath,
            setup.Shard,
            Output.TrainingData));
    }
}
