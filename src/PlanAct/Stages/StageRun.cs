using PlanAct.Teacher;
using PlanAct.Teacher.Cost;

namespace PlanAct.Stages;

/// <summary>How a stage run reaches the teacher.</summary>
internal enum TeacherMode
{
    /// <summary>Requests are sent one by one as items need them.</summary>
    Online,

    /// <summary>Requests go through the Batch API in rounds until every item is answered or quarantined.</summary>
    Batch,

    /// <summary>Every first-round request is built and priced; nothing is sent or written.</summary>
    DryRun,
}

/// <summary>Where a run's progress stands; reported after every item.</summary>
internal sealed record StageProgress(
    string Stage,
    int Total,
    int AlreadyDone,
    int Ok,
    int Quarantined,
    int Skipped,
    int Waiting,
    TimeSpan Elapsed,
    int Sent,
    int Reused,
    long Tokens,
    decimal Dollars,
    string? Phase = null)
{
    public int Finished => AlreadyDone + Ok + Quarantined + Skipped;

    /// <summary>Items finished per second in this run (resumed items excluded).</summary>
    public double Rate => Elapsed.TotalSeconds > 0 ? (Ok + Quarantined + Skipped) / Elapsed.TotalSeconds : 0;

    public TimeSpan? Remaining => Rate > 0 ? TimeSpan.FromSeconds((Total - Finished) / Rate) : null;
}

/// <summary>One quarantined item, as written to <c>&lt;name&gt;.quarantine.jsonl</c>.</summary>
internal sealed record QuarantineRecord(string Stage, string Id, string Reason, IReadOnlyList<TeacherAttempt> Attempts);

/// <summary>How a stage run ended.</summary>
internal sealed record StageSummary(
    string Stage,
    int Total,
    int AlreadyDone,
    int Ok,
    int Quarantined,
    IReadOnlyList<(string Id, string Reason)> Skipped,
    IReadOnlyList<PendingRequest> Pending,
    IReadOnlyList<CostLine> Costs,
    string? StoppedBecause,
    int DroppedRecords)
{
    /// <summary>Every item has its record, its quarantine entry or its skip reason.</summary>
    public bool Complete => StoppedBecause is null && Pending.Count == 0 && AlreadyDone + Ok + Quarantined + Skipped.Count == Total;
}
