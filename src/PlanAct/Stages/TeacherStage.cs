using PlanAct.IO;
using PlanAct.Teacher;

namespace PlanAct.Stages;

/// <summary>What became of one input item.</summary>
internal abstract record ItemResult<TOut>
{
    private ItemResult()
    {
    }

    public sealed record Done(TOut Output) : ItemResult<TOut>;

    /// <summary>The teacher never gave a valid answer: the item goes to the quarantine file with every attempt.</summary>
    public sealed record Quarantined(string Reason, IReadOnlyList<TeacherAttempt> Attempts) : ItemResult<TOut>;

    /// <summary>The item cannot be used (e.g. nothing to annotate); reported, not quarantined.</summary>
    public sealed record Skipped(string Reason) : ItemResult<TOut>;
}

/// <summary>
/// A teacher-driven stage as the runner drives it: items in, one output record per item. The stage builds its
/// requests, asks through the dialog it is given and validates; the runner owns ordering, resume, quarantine,
/// progress, batching and dry runs.
/// </summary>
/// <remarks>
/// In batch mode and in a dry run, a request the ledger cannot answer is held back and the dialog throws
/// <see cref="RequestDeferredException"/>. The runner does not rely on the exception reaching it: it sees through the
/// dialog that the item's request was held back, and the item waits for the next pass whatever the stage returned, so a
/// stage that catches <see cref="Exception"/> (and returns, say, a quarantine) cannot turn a waiting item into a
/// finished one (a test holds the runner to this with a stage that swallows every exception).
/// </remarks>
internal interface ITeacherStage<TIn, TOut>
{
    /// <summary>The stage name: the key of its settings, of its ledger requests and of its costs.</summary>
    string Name { get; }

    string IdOf(TIn item);

    /// <summary>The output record as one JSON line; its <c>id</c> must be <see cref="IdOf"/> of the item.</summary>
    string Format(TOut output);

    /// <summary>
    /// Reads a line of the stage's output as an earlier run wrote it (what <see cref="Format"/> writes): the id of its
    /// record. Resuming trusts only such lines.
    /// </summary>
    /// <exception cref="InputException">The line is not a valid record of the stage's kind.</exception>
    string IdOfRecord(string line, SourceLocation location);

    Task<ItemResult<TOut>> ProcessAsync(TIn item, TeacherDialog teacher, CancellationToken cancellationToken);

    /// <summary>
    /// How many requests the item asks one after another (replan: its rounds). The runner hands out the longest
    /// chains first, so no long chain starts late; items of equal chains go in input order.
    /// </summary>
    int ChainOf(TIn item) => 1;
}
