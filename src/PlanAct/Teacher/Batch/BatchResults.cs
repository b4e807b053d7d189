namespace PlanAct.Teacher.Batch;

/// <summary>Progress as data: one batch's provider status and request counts, reported after each submit and poll.</summary>
internal sealed record BatchProgress(string BatchId, string Status, int Round, int Total, int Completed, int Failed);

/// <summary>
/// What one collection pass did: answers committed, requests that failed in the batches just collected (with the
/// reason; a later round may still answer them), and batches still running.
/// </summary>
internal sealed record BatchCollectResult(int Answered, IReadOnlyDictionary<string, string> Failed, int StillOpen);

/// <summary>
/// The end of a batch cycle: how many of the given requests have an answer in the ledger, which failed for good (in
/// every allowed round) with the last reason, and the batches this cycle submitted.
/// </summary>
internal sealed record BatchCycleResult(int Answered, IReadOnlyDictionary<string, string> Failed, IReadOnlyList<string> SubmittedBatchIds);
