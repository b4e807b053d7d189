using PlanAct.IO;
using PlanAct.Stages;
using PlanAct.Stages.Catalogue;
using PlanAct.Teacher;
using PlanAct.Teacher.Batch;

namespace PlanAct.Pipeline;

/// <summary>
/// One stage as the pipeline drives it. A node reads the pipeline's inputs and the outputs of the nodes it requires,
/// calls its stage's library API, and says what it wrote. It must resume: skip what its output already holds (the
/// stage runner does this for teacher stages; a node without a teacher compares its inputs' fingerprint).
/// </summary>
internal interface IPipelineNode
{
    string Name { get; }

    /// <summary>Stages whose outputs this node reads: they must be in the pipeline and finish first.</summary>
    IReadOnlyList<string> Requires { get; }

    /// <summary>Whether the node's records are training data (<c>export</c> exports them).</summary>
    bool YieldsTrainingData { get; }

    /// <summary>Whether the node reads every stage's training data, and so finishes after all of them (<c>export</c>).</summary>
    bool ReadsAllTrainingData { get; }

    /// <summary>
    /// Whether the node starts with the run rather than when the nodes before it have finished, and waits for each of
    /// them itself (<see cref="PipelineContext.Upstream"/>): export works on each stage's data as soon as it is done.
    /// </summary>
    bool StartsEarly => false;

    /// <summary>Checks the node's options before anything runs (throws <see cref="InputException"/>).</summary>
    void Check(StageOptions options);

    /// <summary>
    /// The teacher requests (first attempts) the stage will need for an input of this size, in words, or null when it
    /// asks no teacher: what a dry run says of the stages it cannot build requests for yet.
    /// </summary>
    string? ExpectedRequests(RunInput input, StageOptions options);

    /// <summary>Whether the node sends anything to the teacher with these options (one that does not runs on the <see cref="CpuWorkLane"/>).</summary>
    bool AsksTeacher(StageOptions options);

    /// <summary>
    /// Work the node does on other nodes' items while those nodes run, so that less is left for its own run (one
    /// follower per node followed; none for most). Asked once before the run starts nodes; <paramref name="context"/>
    /// has no results yet.
    /// </summary>
    IReadOnlyList<StageFollower> Follow(PipelineContext context, StageOptions options);

    Task<NodeResult> RunAsync(PipelineContext context, StageOptions options, CancellationToken cancellationToken);
}

/// <summary>How a node's run ended.</summary>
internal enum NodeStatus
{
    /// <summary>Every item has its record, quarantine entry or skip reason.</summary>
    Done,

    /// <summary>Requests wait for a teacher: a dry run, or batch answers still to come.</summary>
    Waiting,

    /// <summary>The budget stopped it; run again to resume.</summary>
    Stopped,

    /// <summary>Not run: a stage it requires did not finish.</summary>
    Blocked,
}

/// <summary>A file a node wrote; <see cref="TrainingData"/> names its examples' kind when it is training data.</summary>
internal sealed record NodeOutput(string Path, string? TrainingData = null);

/// <summary>What a node did.</summary>
internal sealed record NodeResult(string Stage, NodeStatus Status, IReadOnlyList<NodeOutput> Outputs, string Summary)
{
    /// <summary>The stage runner's account of a teacher stage (counts, pending requests, costs).</summary>
    public StageSummary? Run { get; init; }

    /// <summary>The file the stage runner wrote (its quarantine file is beside it), when <see cref="Run"/> is set.</summary>
    public string? RunOutput { get; init; }

    /// <summary>Items left out as invalid, skipped or quarantined (exit code 4).</summary>
    public int Problems { get; init; }

    public double Seconds { get; init; }

    /// <summary>The node's <see cref="StageStats"/> file, when it wrote one.</summary>
    public string? Stats { get; init; }

    /// <summary>What a stage command says of the run after its counts (e.g. a selection report), one line each.</summary>
    public IReadOnlyList<string> Details { get; init; } = [];

    public static NodeResult Blocked(string stage, string why) => new(stage, NodeStatus.Blocked, [], why);
}

/// <summary>What a node runs with: the pipeline, the teacher session, the mode, and the results of the nodes upstream of it.</summary>
internal sealed class PipelineContext
{
    public required PipelineDefinition Pipeline { get; init; }

    public required TeacherSession Session { get; init; }

    public required TeacherMode Mode { get; init; }

    public BatchRunner? Batch { get; init; }

    /// <summary>This machine's part of the item-parallel stages.</summary>
    public Shard? Shard { get; init; }

    public IProgress<StageProgress>? Progress { get; init; }

    /// <summary>How the run was started, for dataset cards.</summary>
    public string CommandLine { get; init; } = "planact run";

    /// <summary>
    /// The input problems (invalid items) this node meets: its own log, so what it counts does not depend on the nodes
    /// running beside it; the run lists every node's.
    /// </summary>
    public required ProblemLog Problems { get; init; }

    /// <summary>Results of the nodes upstream of this one (all finished), by stage, in graph order; none for a node that <see cref="IPipelineNode.StartsEarly"/>.</summary>
    public required IReadOnlyDictionary<string, NodeResult> Results { get; init; }

    /// <summary>The nodes upstream of this one in graph order, each with its result to come (null when it did not run: blocked by a failure).</summary>
    public IReadOnlyList<(string Stage, Task<NodeResult?> Finished)> Upstream { get; init; } = [];

    /// <summary>Where this node hands on its finished items to the nodes that follow it (<see cref="IPipelineNode.Follow"/>), or null.</summary>
    public ItemFeed? Feed { get; init; }

    /// <summary>What this node prepared while the nodes it follows ran.</summary>
    public IReadOnlyList<StageFollower> Followers { get; init; } = [];

    /// <summary>A path in the run directory.</summary>
    public string PathFor(string name) => Path.Combine(Pipeline.RunDir, name);

    /// <summary>
    /// The main (first) output of <paramref name="stage"/>, a stage the node requires: the runner runs a node only when
    /// every stage it requires is done.
    /// </summary>
    public NodeOutput OutputOf(string stage) =>
        Results.TryGetValue(stage, out var result) && result.Status == NodeStatus.Done && result.Outputs.Count > 0
            ? result.Outputs[0]
            : throw new InvalidOperationException($"stage {stage} is not done: only a stage that requires it may read its output");
}
