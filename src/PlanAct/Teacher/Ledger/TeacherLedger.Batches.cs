using System.Globalization;
using Microsoft.Data.Sqlite;

namespace PlanAct.Teacher.Ledger;

/// <summary>
/// The Batch API part of the ledger. A batch is recorded the moment the provider has created it, together with its
/// requests (counted as sent), so a process that stops at any later instant can reattach to it instead of paying for
/// the same requests again. A batch stays open until its results are collected; each of its requests then ends
/// answered (its answer committed in the same transaction) or failed with the reason. Before a batch is created its
/// uploaded input file is recorded, so that a batch created by a call whose reply never arrived (a crash, a lost
/// connection) is found again at the provider instead of being created twice.
/// </summary>
internal sealed partial class TeacherLedger
{
    private const string Waiting = "waiting";
    private const string Answered = "answered";
    private const string Failed = "failed";

    /// <summary>Records a batch the provider has just created and counts a send for each of its requests.</summary>
    public Task RecordBatchAsync(LedgerBatchCreated batch, IReadOnlyList<PendingRequest> requests, CancellationToken cancellationToken = default) =>
        WriteAsync(async transaction =>
        {
            await using (var command = Command(
                transaction,
                """
                INSERT INTO batches (id, input_file_id, endpoint, status, round, created_at, updated_at)
                VALUES ($id, $input, $endpoint, $status, $round, $now, $now)
                """))
            {
                command.Parameters.AddWithValue("$id", batch.Id);
                command.Parameters.AddWithValue("$input", batch.InputFileId);
                command.Parameters.AddWithValue("$endpoint", batch.Endpoint);
                command.Parameters.AddWithValue("$status", batch.Status);
                command.Parameters.AddWithValue("$round", batch.Round);
                command.Parameters.AddWithValue("$now", Now());
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var upload = Command(transaction, "DELETE FROM batch_uploads WHERE input_file_id = $input"))
            {
                upload.Parameters.AddWithValue("$input", batch.InputFileId);
                await upload.ExecuteNonQueryAsync(cancellationToken);
            }

            foreach (var request in requests)
            {
                var (key, json) = RequestKey.Compute(request.Model, request.Options, request.Messages, request.Request);
                if (key != request.Key)
                {
                    throw new InvalidOperationException($"pending request {request.Key} does not hash to its key (got {key})");
                }

                await InsertSendAsync(transaction, key, request.Request, request.Model, json);
                await using var member = Command(transaction, "INSERT INTO batch_requests (batch_id, key) VALUES ($batch, $key)");
                member.Parameters.AddWithValue("$batch", batch.Id);
                member.Parameters.AddWithValue("$key", key);
                await member.ExecuteNonQueryAsync(cancellationToken);
            }
        }, cancellationToken);

    /// <summary>Records an uploaded batch input file whose batch is about to be created.</summary>
    public Task RecordUploadAsync(LedgerUpload upload, CancellationToken cancellationToken = default) =>
        WriteAsync(async transaction =>
        {
            await using var command = Command(
                transaction,
                "INSERT OR REPLACE INTO batch_uploads (input_file_id, content_sha256, endpoint, created_at) VALUES ($input, $sha, $endpoint, $at)");
            command.Parameters.AddWithValue("$input", upload.InputFileId);
            command.Parameters.AddWithValue("$sha", upload.ContentSha256);
            command.Parameters.AddWithValue("$endpoint", upload.Endpoint);
            command.Parameters.AddWithValue("$at", upload.CreatedAt.ToString("O", CultureInfo.InvariantCulture));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    /// <summary>The upload of a request file with this content whose batch was never recorded, newest first; null if none.</summary>
    public Task<LedgerUpload?> FindUploadAsync(string contentSha256, string endpoint, CancellationToken cancellationToken = default) =>
        LockedAsync(async () =>
        {
            await using var command = Command(
                null,
                "SELECT input_file_id, created_at FROM batch_uploads WHERE content_sha256 = $sha AND endpoint = $endpoint ORDER BY created_at DESC LIMIT 1");
            command.Parameters.AddWithValue("$sha", contentSha256);
            command.Parameters.AddWithValue("$endpoint", endpoint);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken)
                ? new LedgerUpload(reader.GetString(0), contentSha256, endpoint, Time(reader.GetString(1)))
                : null;
        }, cancellationToken);

    /// <summary>Forgets an upload the provider no longer has.</summary>
    public Task ForgetUploadAsync(string inputFileId, CancellationToken cancellationToken = default) =>
        WriteAsync(async transaction =>
        {
            await using var command = Command(transaction, "DELETE FROM batch_uploads WHERE input_file_id = $input");
            command.Parameters.AddWithValue("$input", inputFileId);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    /// <summary>Notes what a poll said about a batch.</summary>
    public Task UpdateBatchAsync(string batchId, string status, string? outputFileId, string? errorFileId, CancellationToken cancellationToken = default) =>
        WriteAsync(async transaction =>
        {
            await using var command = Command(
                transaction,
                """
                UPDATE batches SET status = $status, output_file_id = COALESCE($output, output_file_id),
                    error_file_id = COALESCE($error, error_file_id), updated_at = $now
                WHERE id = $id
                """);
            command.Parameters.AddWithValue("$id", batchId);
            command.Parameters.AddWithValue("$status", status);
            command.Parameters.AddWithValue("$output", (object?)outputFileId ?? DBNull.Value);
            command.Parameters.AddWithValue("$error", (object?)errorFileId ?? DBNull.Value);
            command.Parameters.AddWithValue("$now", Now());
            await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    /// <summary>
    /// Closes a finished batch in one transaction: commits its good answers, marks every other request of the batch
    /// failed with its reason, and records the final status. A crash before this leaves the batch open to collect again.
    /// Returns false, writing nothing, when the batch was collected already (by another caller polling at the same time).
    /// </summary>
    public async Task<bool> CollectBatchAsync(string batchId, string status, IReadOnlyList<LedgerEntry> answers, IReadOnlyDictionary<string, string> failures, CancellationToken cancellationToken = default)
    {
        var collected = false;
        await WriteAsync(async transaction =>
        {
            await using var command = Command(transaction, "UPDATE batches SET status = $status, updated_at = $now, collected_at = $now WHERE id = $id AND collected_at IS NULL");
            command.Parameters.AddWithValue("$id", batchId);
            command.Parameters.AddWithValue("$status", status);
            command.Parameters.AddWithValue("$now", Now());
            collected = await command.ExecuteNonQueryAsync(CancellationToken.None) == 1;
            if (!collected)
            {
                return;
            }

            foreach (var answer in answers)
            {
                await InsertResponseAsync(transaction, answer);
                await SetRequestStateAsync(transaction, batchId, answer.Key, Answered, null);
            }

            foreach (var (key, reason) in failures)
            {
                await SetRequestStateAsync(transaction, batchId, key, Failed, reason);
            }
        }, CancellationToken.None);
        return collected;
    }

    /// <summary>Batches whose results are not collected yet (running, or finished while nobody was watching).</summary>
    public Task<IReadOnlyList<LedgerBatch>> OpenBatchesAsync(CancellationToken cancellationToken = default) =>
        BatchesAsync(openOnly: true, cancellationToken);

    /// <summary>Every batch with its request counts, newest first.</summary>
    public Task<IReadOnlyList<LedgerBatch>> BatchesAsync(CancellationToken cancellationToken = default) =>
        BatchesAsync(openOnly: false, cancellationToken);

    /// <summary>The requests of a batch that have no outcome yet, in key order.</summary>
    public Task<IReadOnlyList<string>> WaitingKeysAsync(string batchId, CancellationToken cancellationToken = default) =>
        LockedAsync<IReadOnlyList<string>>(async () =>
        {
            await using var command = Command(null, "SELECT key FROM batch_requests WHERE batch_id = $batch AND state = $waiting ORDER BY key");
            command.Parameters.AddWithValue("$batch", batchId);
            command.Parameters.AddWithValue("$waiting", Waiting);
            var keys = new List<string>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                keys.Add(reader.GetString(0));
            }

            return keys;
        }, cancellationToken);

    /// <summary>The requests waiting in batches not collected yet: sending them again would pay twice.</summary>
    public Task<IReadOnlySet<string>> KeysInOpenBatchesAsync(CancellationToken cancellationToken = default) =>
        LockedAsync<IReadOnlySet<string>>(async () =>
        {
            await using var command = Command(
                null,
                "SELECT r.key FROM batch_requests r JOIN batches b ON b.id = r.batch_id WHERE b.collected_at IS NULL AND r.state = $waiting");
            command.Parameters.AddWithValue("$waiting", Waiting);
            var keys = new HashSet<string>(StringComparer.Ordinal);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                keys.Add(reader.GetString(0));
            }

            return keys;
        }, cancellationToken);

    /// <summary>The keys among <paramref name="keys"/> that have no committed answer.</summary>
    public Task<IReadOnlyList<string>> UnansweredAsync(IEnumerable<string> keys, CancellationToken cancellationToken = default) =>
        LockedAsync<IReadOnlyList<string>>(async () =>
        {
            await using var command = Command(null, "SELECT 1 FROM responses WHERE key = $key");
            var parameter = command.Parameters.Add("$key", SqliteType.Text);
            var missing = new List<string>();
            foreach (var key in keys)
            {
                parameter.Value = key;
                if (await command.ExecuteScalarAsync(cancellationToken) is null)
                {
                    missing.Add(key);
                }
            }

            return missing;
        }, cancellationToken);

    /// <summary>For each of <paramref name="keys"/> that ever failed in a batch: how many batches it failed in, and the last reason.</summary>
    public Task<IReadOnlyDictionary<string, LedgerBatchFailures>> BatchFailuresAsync(IEnumerable<string> keys, CancellationToken cancellationToken = default) =>
        LockedAsync<IReadOnlyDictionary<string, LedgerBatchFailures>>(async () =>
        {
            await using var command = Command(
                null,
                """
                SELECT COUNT(*), (SELECT r2.error FROM batch_requests r2 JOIN batches b2 ON b2.id = r2.batch_id
                                  WHERE r2.key = $key AND r2.state = $failed ORDER BY b2.round DESC, b2.created_at DESC LIMIT 1)
                FROM batch_requests WHERE key = $key AND state = $failed
                """);
            var parameter = command.Parameters.Add("$key", SqliteType.Text);
            command.Parameters.AddWithValue("$failed", Failed);
            var failures = new Dictionary<string, LedgerBatchFailures>(StringComparer.Ordinal);
            foreach (var key in keys)
            {
                parameter.Value = key;
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                if (await reader.ReadAsync(cancellationToken) && reader.GetInt32(0) > 0)
                {
                    failures[key] = new LedgerBatchFailures(reader.GetInt32(0), reader.IsDBNull(1) ? "" : reader.GetString(1));
                }
            }

            return failures;
        }, cancellationToken);

    private async Task SetRequestStateAsync(SqliteTransaction transaction, string batchId, string key, string state, string? error)
    {
        await using var command = Command(transaction, "UPDATE batch_requests SET state = $state, error = $error WHERE batch_id = $batch AND key = $key");
        command.Parameters.AddWithValue("$batch", batchId);
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$state", state);
        command.Parameters.AddWithValue("$error", (object?)error ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }

    private Task<IReadOnlyList<LedgerBatch>> BatchesAsync(bool openOnly, CancellationToken cancellationToken) =>
        LockedAsync<IReadOnlyList<LedgerBatch>>(async () =>
        {
            await using var command = Command(
                null,
                """
                SELECT b.id, b.input_file_id, b.endpoint, b.status, b.round, b.output_file_id, b.error_file_id,
                       b.created_at, b.updated_at, b.collected_at,
                       COUNT(r.key), COALESCE(SUM(r.state = $answered), 0), COALESCE(SUM(r.state = $failed), 0)
                FROM batches b LEFT JOIN batch_requests r ON r.batch_id = b.id
                WHERE $all OR b.collected_at IS NULL
                GROUP BY b.id ORDER BY b.created_at DESC, b.id
                """);
            command.Parameters.AddWithValue("$answered", Answered);
            command.Parameters.AddWithValue("$failed", Failed);
            command.Parameters.AddWithValue("$all", !openOnly);
            var batches = new List<LedgerBatch>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                batches.Add(new LedgerBatch(
                    reader.GetString(0),
                    reader.GetString(1),
                    reader.GetString(2),
                    reader.GetString(3),
                    reader.GetInt32(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5),
                    reader.IsDBNull(6) ? null : reader.GetString(6),
                    Time(reader.GetString(7)),
                    Time(reader.GetString(8)),
                    reader.IsDBNull(9) ? null : Time(reader.GetString(9)),
                    reader.GetInt32(10),
                    reader.GetInt32(11),
                    reader.GetInt32(12)));
            }

            return batches;
        }, cancellationToken);

    private static DateTimeOffset Time(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);
}

/// <summary>A batch as the provider created it, about to be recorded.</summary>
internal sealed record LedgerBatchCreated(string Id, string InputFileId, string Endpoint, string Status, int Round);

/// <summary>A recorded batch: provider ids and status, which resubmission round it is, and what became of its requests.</summary>
internal sealed record LedgerBatch(
    string Id,
    string InputFileId,
    string Endpoint,
    string Status,
    int Round,
    string? OutputFileId,
    string? ErrorFileId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? CollectedAt,
    int Requests,
    int Answered,
    int Failed)
{
    public bool IsOpen => CollectedAt is null;

    public int Waiting => Requests - Answered - Failed;
}

/// <summary>How many batches a request failed in, and the last reason.</summary>
internal sealed record LedgerBatchFailures(int Count, string LastError);

/// <summary>A batch input file uploaded for a batch that may or may not have been created.</summary>
internal sealed record LedgerUpload(string InputFileId, string ContentSha256, string Endpoint, DateTimeOffset CreatedAt);
