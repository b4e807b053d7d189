using PlanAct.IO;
using PlanAct.Pipeline;
using PlanAct.Teacher;
using PlanAct.Teacher.Batch;
using PlanAct.Trajectories;

namespace PlanAct.Stages.Catalogue;

/// <summary>
/// A file a stage reads its items from: the pipeline's trajectories (<c>--input</c>), or the output of a stage it
/// requires (e.g. annotate's plans, <c>--plans</c>).
/// </summary>
/// <param name="Flag">The command-line flag naming the file.</param>
/// <param name="Help">What the file holds (the help of the flag).</param>
/// <param name="Stage">The stage whose output it is in a pipeline; null for the pipeline's trajectories.</param>
internal sealed record StageInput(string Flag, string Help, string? Stage)
{
    public static StageInput Trajectories(string help) => new("--input", help, null);

    public static StageInput OutputOf(string stage, string flag, string help) => new(flag, help, stage);
}

/// <summary>What a stage writes: <c>--out</c> on the command line, a file of the run directory in a pipeline.</summary>
/// <param name="Help">What the file holds (the help of <c>--out</c>).</param>
/// <param name="FileName">Its name in a run directory, from the options (CoT outputs have their own).</param>
/// <param name="TrainingData">The kind of training data its records are (what <c>export</c> names them), or null.</param>
internal sealed record StageOutput(string Help, Func<StageOptionValues, string> FileName, string? TrainingData);

/// <summary>What a stage's job is opened with, from flags or from a pipeline.</summary>
internal sealed class StageSetup
{
    public required StageOptionValues Options { get; init; }

    /// <summary>The input files by <see cref="StageInput.Flag"/>.</summary>
    public required IReadOnlyDictionary<string, string> Inputs { get; init; }

    public required string OutPath { get; init; }

    public required ProblemLog Problems { get; init; }

    /// <summary>Whether bytes of the inputs that are not UTF-8 are read as U+FFFD (<c>--replace-invalid-utf8</c>).</summary>
    public bool ReplaceInvalidUtf8 { get; init; }

    /// <summary>The format trajectory files are read as (<c>--format</c>); null tells it from each file's content.</summary>
    public TrajectoryFormat? TrajectoryFormat { get; init; }

    /// <summary>How the stage reads trajectories: with its problem log, UTF-8 setting and format.</summary>
    public TrajectoryReadOptions TrajectoryOptions => new() { Problems = Problems, ReplaceInvalidUtf8 = ReplaceInvalidUtf8, Format = TrajectoryFormat };

    /// <summary>This machine's part of the items, for a stage that splits by item.</summary>
    public Shard? Shard { get; init; }

    /// <summary>Whether a pipeline runs the stage (its report reads the statistics of every stage), not a stage command.</summary>
    public bool InPipeline { get; init; }

    /// <summary>In a pipeline, what the stage prepared while the stage it follows ran (<see cref="StageDefinition.FollowerFor"/>), or null.</summary>
    public StageFollower? Follower { get; init; }

    /// <summary>
    /// What the stage's work is made of: its input files and the files its options name (their contents), every option,
    /// the shard and <paramref name="settings"/> (what else the
    /// stage depends on), with <paramref name="files"/> beside. Equal fingerprints mean a finished run has nothing to redo.
    /// </summary>
    public Task<string> FingerprintAsync(string stage, string settings, IEnumerable<string> files, CancellationToken cancellationToken) =>
        StageStats.FingerprintAsync(
            [.. Inputs.OrderBy(i => i.Key, StringComparer.Ordinal).Select(i => i.Value), .. Options.Files(), .. files],
            $"{stage} {Options.Describe()} shard={Shard} utf8={(ReplaceInvalidUtf8 ? "replace" : "strict")} format={TrajectoryFormat} {settings}",
            cancellationToken);
}

/// <summary>How a stage's job reaches the teacher; <see cref="Session"/> is null when the job asks none.</summary>
internal sealed record StageRunContext(TeacherSession? Session, TeacherMode Mode, BatchRunner? Batch, IProgress<StageProgress>? Progress)
{
    /// <summary>In a pipeline, where a stage that another follows hands on its finished items; null otherwise.</summary>
    public ItemFeed? Feed { get; init; }
}

/// <summary>A stage's work, opened (inputs read and paired) and ready to run.</summary>
internal abstract class StageJob
{
    /// <summary>What to say before the run (e.g. how many records augment will use).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Runs the work; the result's <see cref="NodeResult.Details"/> are what a command says of it after the counts.</summary>
    public abstract Task<NodeResult> RunAsync(StageRunContext context, CancellationToken cancellationToken);
}

/// <summary>
/// One stage, defined once: its name, the stages it requires (through its inputs), its options, its output and the
/// kind of training data it is, the requests it needs, and the factory of its work. The <c>planact</c> command, its
/// <c>batch prepare|submit</c> subcommands and the pipeline node of the stage are made from this definition; a new
/// stage is one folder with one class deriving from it (the catalogue finds it).
/// </summary>
internal abstract class StageDefinition
{
    public abstract string Name { get; }

    /// <summary>Where the stage stands among stages that could run at the same point: ties in the run order, and the order of commands.</summary>
    public abstract int Rank { get; }

    /// <summary>What the stage does, for its help.</summary>
    public abstract string Description { get; }

    /// <summary>Command lines that run it (the first is also the example of its batch subcommands).</summary>
    public abstract IReadOnlyList<string> Examples { get; }

    public abstract IReadOnlyList<StageInput> Inputs { get; }

    public abstract StageOutput Output { get; }

    public virtual IReadOnlyList<StageOption> Options => [];

    /// <summary>What <c>--skip-invalid</c> lists and leaves out, in its help.</summary>
    public abstract string InvalidItems { get; }

    /// <summary>The bool option under which the stage asks a teacher (act's cot); null: it always does.</summary>
    public virtual string? TeacherSwitch => null;

    /// <summary>Whether the work splits by item (<c>--shard</c>); a stage that selects over all answers does not.</summary>
    public virtual bool SplitsByItem => true;

    /// <summary>Stages whose outputs this stage reads.</summary>
    public IReadOnlyList<string> Requires => [.. Inputs.Select(i => i.Stage).OfType<string>()];

    public bool AsksTeacher(StageOptionValues options) => TeacherSwitch is not { } option || options.Bool(option);

    /// <summary>The teacher requests (first attempts) the stage needs for an input of this size, in words.</summary>
    public abstract string ExpectedRequests(RunInput input, StageOptionValues options);

    /// <summary>
    /// In a pipeline run: work the stage can do on another stage's items while that stage makes them (null: none, the
    /// default). <paramref name="setup"/> has the pipeline's trajectories as its only input, since the stage followed has
    /// not written its output yet.
    /// </summary>
    public virtual StageFollower? FollowerFor(StageSetup setup) => null;

    /// <summary>Reads the inputs and makes the stage's work (nothing is asked or written yet).</summary>
    public abstract Task<StageJob> OpenAsync(StageSetup setup, CancellationToken cancellationToken);
}
