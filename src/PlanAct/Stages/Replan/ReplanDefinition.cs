using PlanAct.Pipeline;
using PlanAct.Plans;
using PlanAct.Stages.Act;
using PlanAct.Stages.Annotate;
using PlanAct.Stages.Catalogue;
using PlanAct.Trajectories;

namespace PlanAct.Stages.Replan;

/// <summary>replan: a grounded replan for every round of every annotated trajectory.</summary>
internal sealed class ReplanDefinition : StageDefinition
{
    public override string Name => ReplanStage.StageName;

    public override int Rank => 60;

    public override string Description =>
        "Write a replanned plan for every round r = 1..n-1 of every annotated trajectory with the teacher, grounded in the actions r..n-1 still to take, validated and re-asked; "
        + "rounds of a trajectory in order, trajectories in parallel; failures go to <out>.quarantine.jsonl. `planact export` makes replanner examples from the output, "
        + "`planact dynamic-act` dynamic executor examples.";

    public override IReadOnlyList<string> Examples => ["planact replan --input samples/trajectories.jsonl --plans plans.jsonl --out replans.jsonl --model gpt-4o-mini"];

    public override IReadOnlyList<StageInput> Inputs =>
    [
        StageInput.Trajectories("Trajectories: SFT .json, planact .jsonl, or a folder of them."),
        StageInput.OutputOf(AnnotateStage.StageName, "--plans", "Their plan records (planact/plan@2 JSONL, e.g. from planact annotate), matched by id: the plan of round 0."),
    ];

    public override StageOutput Output => new(
        "Replan records (planact/replan@2 JSONL), one per trajectory. Appended as trajectories finish; a re-run adds only what is missing.",
        options => options.Bool("cot") ? "replans.cot.jsonl" : "replans.jsonl",
        "replanner");

    public override IReadOnlyList<StageOption> Options =>
    [
        new("cot", StageOptionType.Bool, "Chain of thought: after the grounded rounds, one thinking round per round writes the replanner's thinking and reasoning from the task, the actions so far and the current page only (the round's reasoning).") { Default = false },
        new("max_page_tokens", StageOptionType.Int, "Cut the current page's planner view to this many tokens.") { Default = new ReplanOptions().MaxPageTokens },
    ];

    public override string InvalidItems => "trajectories and plans";

    public override string ExpectedRequests(RunInput input, StageOptionValues options) =>
        $"{input.Steps - input.Trajectories} requests (one per round after the first action, rounds of a trajectory in order)"
        + (options.Bool("cot") ? ", then as many thinking requests (one per round)" : "");

    public override async Task<StageJob> OpenAsync(StageSetup setup, CancellationToken cancellationToken)
    {
        var settings = new ReplanOptions { MaxPageTokens = setup.Options.Int("max_page_tokens"), Cot = setup.Options.Bool("cot") };
        var input = setup.Inputs["--input"];
        var pairing = await PlanPairing.LoadPlansAsync(setup.Inputs["--plans"], setup.Problems, cancellationToken);
        return new ItemStageJob<PlannedTrajectory, ReplanRecord>(
            session => new ReplanStage(settings, session.ModelFor(Name)),
            () => pairing.PairPlansAsync(TrajectoryFiles.ReadAsync(input, setup.TrajectoryOptions, cancellationToken), input, setup.Problems, cancellationToken),
            setup.OutPath,
            setup.Shard,
            Output.TrainingData);
    }
}
