using System.Globalization;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using PlanAct.IO;

namespace PlanAct.Teacher.Ledger;

/// <summary>
/// An embedded SQLite record of every teacher request and answer. An answer is committed (WAL, synchronous=FULL)
/// before anyone uses it, so a crash at any instant loses nothing that was paid for; a re-run reads it back instead
/// of sending the request again. Answers and send records that are waiting together are committed together (group
/// commit: one transaction, one flush, then all their callers go on); a send record is not waited for before its
/// request goes out, only before its answer is used. Only requests and answers are stored: never a key or a header. Batches sent through
/// the Batch API are recorded too (see the batch part of this class), so a restarted process reattaches to them.
/// </summary>
internal sealed partial class TeacherLedger : IAsyncDisposable, IDisposable
{
    private const int SchemaVersion = 1;

    /// <summary>The tables, created where missing.</summary>
    private const string Tables =
        """
        CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS requests (
            key TEXT PRIMARY KEY,
            stage TEXT NOT NULL,
            item TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            model TEXT NOT NULL,
            request_json TEXT NOT NULL,
            sends INTEGER NOT NULL DEFAULT 0,
            first_sent_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS responses (
            key TEXT PRIMARY KEY REFERENCES requests(key),
            text TEXT NOT NULL,
            reasoning TEXT,
            finish_reason TEXT,
            input_tokens INTEGER,
            output_tokens INTEGER,
            latency_ms INTEGER NOT NULL,
            created_at TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS requests_by_stage ON requests(stage, item);
        CREATE TABLE IF NOT EXISTS batches (
            id TEXT PRIMARY KEY,
            input_file_id TEXT NOT NULL,
            endpoint TEXT NOT NULL,
            status TEXT NOT NULL,
            round INTEGER NOT NULL,
            output_file_id TEXT,
            error_file_id TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            collected_at TEXT);
        CREATE TABLE IF NOT EXISTS batch_requests (
            batch_id TEXT NOT NULL REFERENCES batches(id),
            key TEXT NOT NULL REFERENCES requests(key),
            state TEXT NOT NULL DEFAULT 'waiting',
            error TEXT,
            PRIMARY KEY (batch_id, key));
        CREATE INDEX IF NOT EXISTS batch_requests_by_key ON batch_requests(key, state);
        CREATE TABLE IF NOT EXISTS batch_uploads (
            input_file_id TEXT PRIMARY KEY,
            content_sha256 TEXT NOT NULL,
            endpoint TEXT NOT NULL,
            created_at TEXT NOT NULL);
        """;

    /// <summary>The most writes one group commit takes, so a reader never waits behind a very long transaction.</summary>
    private const int MaxGroup = 512;

    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly Channel<PendingWrite> _writes = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private Task? _writeLoop;

    /// <summary>The one-writer lock, held by a ledger opened to write and by a dry run's (null for the report's reads).</summary>
    private readonly WriterLock? _writer;

    private readonly LedgerStatement _find;
    private readonly LedgerStatement _insertSend;
    private readonly LedgerStatement _insertResponse;

    private TeacherLedger(string path, SqliteConnection connection, WriterLock? writer = null)
    {
        Path = path;
        _connection = connection;
        _writer = writer;
        _find = new LedgerStatement(
            connection, "SELECT text, reasoning, finish_reason, input_tokens, output_tokens, latency_ms, created_at FROM responses WHERE key = $key", "$key");

        // The request's JSON comes as UTF-8 bytes and is stored as the text it is.
        _insertSend = new LedgerStatement(
            connection,
            """
            INSERT INTO requests (key, stage, item, attempt, model, request_json, sends, first_sent_at)
            VALUES ($key, $stage, $item, $attempt, $model, CAST($json AS TEXT), 1, $now)
            ON CONFLICT(key) DO UPDATE SET sends = sends + 1
            """,
            "$key", "$stage", "$item", "$attempt", "$model", "$json", "$now");
        _insertResponse = new LedgerStatement(
            connection,
            """
            INSERT OR REPLACE INTO responses (key, text, reasoning, finish_reason, input_tokens, output_tokens, latency_ms, created_at)
            VALUES ($key, $text, $reasoning, $finish, $input, $output, $latency, $created)
            """,
            "$key", "$text", "$reasoning", "$finish", "$input", "$output", "$latency", "$created");
    }

    /// <summary>The default location: <c>.planact/ledger.db</c> in the working directory.</summary>
    public static string DefaultPath => System.IO.Path.Combine(".planact", "ledger.db");

    public string Path { get; }

    /// <summary>Whether this ledger is open to write (not read-only, not a dry run's).</summary>
    public bool Writes { get; private init; }

    /// <summary>Opens (or creates) a ledger to write; one process at a time (see <see cref="WriterLock"/>).</summary>
    /// <exception cref="WriterLockedException">Another process has it open to write.</exception>
    public static async Task<TeacherLedger> OpenAsync(string path, CancellationToken cancellationToken = default)
    {
        var full = System.IO.Path.GetFullPath(path);
        return await OpenWithAsync(full, new SqliteConnectionStringBuilder { DataSource = full }, WriterLock.Acquire(full), writes: true, async (ledger, ct) =>
        {
            ledger._writeLoop = Task.Run(ledger.WriteGroupsAsync, CancellationToken.None);
            await ledger.ExecuteAsync(
                """
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = FULL;
                PRAGMA busy_timeout = 10000;
                """, ct);
            await ledger.CreateTablesAsync(ct);
            if (await ledger.SchemaAsync(ct) is null)
            {
                await ledger.ExecuteAsync($"INSERT INTO meta (name, value) VALUES ('schema', '{SchemaVersion}')", ct);
            }
        }, cancellationToken);
    }

    /// <summary>
    /// Opens an existing ledger only to read it (the run report): nothing is created, migrated or written, beside it
    /// either, so it works on a read-only copy of a run or a read-only mount.
    /// </summary>
    public static async Task<TeacherLedger> OpenReadOnlyAsync(string path, CancellationToken cancellationToken = default)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"{full}: no ledger here", full);
        }

        // A ledger no one has open has no -wal file: it is read as immutable, which needs no lock and leaves no -wal and
        // -shm files behind as a read-only WAL connection would. One that is open (or was left by a crash) is read through
        // SQLite's shared memory, so a running pipeline's answers are seen; where that cannot be (a read-only folder
        // without the -shm file) it is read as immutable too, without the answers still in the -wal file.
        var immutable = !File.Exists(full + "-wal");
        try
        {
            return await OpenReadOnlyAsync(full, immutable, writer: null, cancellationToken);
        }
        catch (SqliteException e) when (!immutable && e.SqliteErrorCode is 8 or 14)
        {
            return await OpenReadOnlyAsync(full, immutable: true, writer: null, cancellationToken);
        }
    }

    /// <summary>
    /// The ledger a dry run reads: the one at <paramref name="path"/> read-only when it exists, else an empty one in
    /// memory. Either way nothing is written or created; a writer's lock is respected (and held while reading).
    /// </summary>
    /// <exception cref="WriterLockedException">Another process has it open to write.</exception>
    public static async Task<TeacherLedger> OpenForDryRunAsync(string path, CancellationToken cancellationToken = default)
    {
        var full = System.IO.Path.GetFullPath(path);
        var writer = WriterLock.AcquireIfPresent(full);

        // Nobody else writes it while the lock is held; a -wal file a crash left is read through shared memory.
        return File.Exists(full)
            ? await OpenReadOnlyAsync(full, immutable: !File.Exists(full + "-wal"), writer, cancellationToken)
            : await OpenWithAsync(full, new SqliteConnectionStringBuilder { DataSource = ":memory:" }, writer, writes: false, (ledger, ct) => ledger.CreateTablesAsync(ct), cancellationToken);
    }

    private Task CreateTablesAsync(CancellationToken cancellationToken) => ExecuteAsync(Tables, cancellationToken);

    private static async Task<TeacherLedger> OpenReadOnlyAsync(string full, bool immutable, WriterLock? writer, CancellationToken cancellationToken)
    {
        var source = immutable ? new Uri(full).AbsoluteUri + "?immutable=1" : full;
        return await OpenWithAsync(full, new SqliteConnectionStringBuilder { DataSource = source, Mode = SqliteOpenMode.ReadOnly }, writer, writes: false, (ledger, ct) => ledger.SchemaAsync(ct), cancellationToken);
    }

    /// <summary>
    /// Opens <paramref name="connection"/> (never pooled) as the ledger at <paramref name="full"/> and readies it with
    /// <paramref name="prepare"/>; on any failure the ledger is closed again, releasing <paramref name="writer"/>.
    /// </summary>
    private static async Task<TeacherLedger> OpenWithAsync(
        string full, SqliteConnectionStringBuilder connection, WriterLock? writer, bool writes, Func<TeacherLedger, CancellationToken, Task> prepare, CancellationToken cancellationToken)
    {
        connection.Pooling = false;
        var ledger = new TeacherLedger(full, new SqliteConnection(connection.ToString()), writer) { Writes = writes };
        try
        {
            await ledger._connection.OpenAsync(cancellationToken);
            await prepare(ledger, cancellationToken);
            return ledger;
        }
        catch
        {
            await ledger.DisposeAsync();
            throw;
        }
    }

    /// <summary>The ledger's schema version, or null for a new ledger; throws for a version this build does not read.</summary>
    private async Task<string?> SchemaAsync(CancellationToken cancellationToken)
    {
        var version = await ScalarAsync("SELECT value FROM meta WHERE name = 'schema'", cancellationToken) as string;
        if (version is not null && Convert.ToInt32(version, CultureInfo.InvariantCulture) != SchemaVersion)
        {
            throw new InvalidOperationException($"{Path}: ledger schema {version} is not supported (expected {SchemaVersion})");
        }

        return version;
    }

    public Task<LedgerEntry?> FindAsync(string key, CancellationToken cancellationToken = default) => LockedAsync(async () =>
    {
        await using var reader = await _find.With(null, key).ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new LedgerEntry(
            key,
            reader.GetString(0),
            reader.IsDBNull(1) ? null : reader.GetString(1),
            reader.IsDBNull(2) ? null : reader.GetString(2),
            reader.IsDBNull(3) ? null : reader.GetInt64(3),
            reader.IsDBNull(4) ? null : reader.GetInt64(4),
            reader.GetInt64(5),
            DateTimeOffset.Parse(reader.GetString(6), CultureInfo.InvariantCulture));
    }, cancellationToken);

    /// <summary>
    /// Records that a request is being sent (counting sends, so a resend after a crash is visible). The task ends when the
    /// record is on disk, in the group commit of the writes waiting with it: send the request without waiting for it, and
    /// await it before the answer is committed (a crash before then loses only the count of a request in flight).
    /// </summary>
    public Task RecordSendAsync(string key, TeacherRequest request, string model, byte[] requestJson) =>
        GroupWriteAsync(transaction => InsertSendAsync(transaction, key, request, model, requestJson));

    /// <summary>Commits an answer durably, with the writes waiting with it; returns only once it is on disk.</summary>
    public Task CommitAsync(LedgerEntry entry) => GroupWriteAsync(transaction => InsertResponseAsync(transaction, entry));

    /// <summary>How many times the request with this key was sent to a teacher (0 if never).</summary>
    public Task<int> SendCountAsync(string key, CancellationToken cancellationToken = default) => LockedAsync(async () =>
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = "SELECT sends FROM requests WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken) ?? 0, CultureInfo.InvariantCulture);
    }, cancellationToken);

    /// <summary>The stage and model a request was recorded under, or null for an unknown key.</summary>
    public Task<(string Stage, string Model)?> OriginAsync(string key, CancellationToken cancellationToken = default) => LockedAsync<(string, string)?>(async () =>
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = "SELECT stage, model FROM requests WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetString(0), reader.GetString(1)) : null;
    }, cancellationToken);

    /// <summary>Totals per stage and model: requests, answers, tokens, and sends beyond the first.</summary>
    public Task<IReadOnlyList<LedgerStageTotals>> TotalsAsync(CancellationToken cancellationToken = default) => LockedAsync<IReadOnlyList<LedgerStageTotals>>(async () =>
    {
        await using var command = _connection.CreateCommand();
        command.CommandText =
            """
            SELECT q.stage, q.model, COUNT(*), COUNT(r.key), COALESCE(SUM(r.input_tokens), 0), COALESCE(SUM(r.output_tokens), 0), COALESCE(SUM(q.sends), 0),
                   COALESCE(SUM(CASE WHEN b.key IS NULL THEN 0 ELSE r.input_tokens END), 0), COALESCE(SUM(CASE WHEN b.key IS NULL THEN 0 ELSE r.output_tokens END), 0)
            FROM requests q LEFT JOIN responses r ON r.key = q.key
                 LEFT JOIN (SELECT DISTINCT key FROM batch_requests WHERE state = $answered) b ON b.key = r.key
            GROUP BY q.stage, q.model ORDER BY q.stage, q.model
            """;
        command.Parameters.AddWithValue("$answered", Answered);
        var totals = new List<LedgerStageTotals>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            totals.Add(new LedgerStageTotals(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt32(6))
            {
                BatchInputTokens = reader.GetInt64(7),
                BatchOutputTokens = reader.GetInt64(8),
            });
        }

        return totals;
    }, cancellationToken);

    /// <summary>The latency of every answer of the given stages (all stages when null), for the run report.</summary>
    public Task<IReadOnlyList<(string Stage, long LatencyMs)>> LatenciesAsync(IReadOnlyCollection<string>? stages = null, CancellationToken cancellationToken = default) =>
        LockedAsync<IReadOnlyList<(string, long)>>(async () =>
        {
            await using var command = _connection.CreateCommand();
            command.CommandText = "SELECT q.stage, r.latency_ms FROM responses r JOIN requests q ON q.key = r.key ORDER BY q.stage";
            var latencies = new List<(string, long)>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                if (stages is null || stages.Contains(reader.GetString(0)))
                {
                    latencies.Add((reader.GetString(0), reader.GetInt64(1)));
                }
            }

            return latencies;
        }, cancellationToken);

    /// <summary>The model and token usage of each of <paramref name="keys"/> that has a committed answer, and whether a batch answered it.</summary>
    public Task<IReadOnlyList<LedgerUsage>> UsageAsync(IEnumerable<string> keys, CancellationToken cancellationToken = default) => LockedAsync<IReadOnlyList<LedgerUsage>>(async () =>
    {
        await using var command = Command(
            null,
            """
            SELECT q.model, COALESCE(r.input_tokens, 0), COALESCE(r.output_tokens, 0),
                   EXISTS (SELECT 1 FROM batch_requests b WHERE b.key = q.key AND b.state = $answered)
            FROM requests q JOIN responses r ON r.key = q.key WHERE q.key = $key
            """);
        command.Parameters.AddWithValue("$answered", Answered);
        var parameter = command.Parameters.Add("$key", SqliteType.Text);
        var usage = new List<LedgerUsage>();
        foreach (var key in keys)
        {
            parameter.Value = key;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                usage.Add(new LedgerUsage(key, reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetBoolean(3)));
            }
        }

        return usage;
    }, cancellationToken);

    private Task InsertSendAsync(SqliteTransaction transaction, string key, TeacherRequest request, string model, byte[] requestJson) =>
        _insertSend.With(transaction, key, request.Stage, request.Item, request.Attempt, model, requestJson, Now()).ExecuteNonQueryAsync();

    private Task InsertResponseAsync(SqliteTransaction transaction, LedgerEntry entry) =>
        _insertResponse.With(
            transaction, entry.Key, entry.Text, entry.Reasoning, entry.FinishReason, entry.InputTokens, entry.OutputTokens, entry.LatencyMs,
            entry.CreatedAt.ToString("O", CultureInfo.InvariantCulture)).ExecuteNonQueryAsync();

    /// <summary>Queues a write for the next group commit; the task ends when it is on disk (or failed).</summary>
    private Task GroupWriteAsync(Func<SqliteTransaction, Task> work)
    {
        var write = new PendingWrite(work, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (_writeLoop is null || !_writes.Writer.TryWrite(write))
        {
            throw new InvalidOperationException($"{Path}: the ledger is not open to write");
        }

        return write.Done.Task;
    }

    /// <summary>
    /// The one writer: takes every write waiting at that moment and commits them in one transaction (one flush), then
    /// releases their callers. Should the group fail, each write is tried alone, so one bad write fails only its caller.
    /// </summary>
    private async Task WriteGroupsAsync()
    {
        var group = new List<PendingWrite>();
        while (await _writes.Reader.WaitToReadAsync())
        {
            group.Clear();
            while (group.Count < MaxGroup && _writes.Reader.TryRead(out var write))
            {
                group.Add(write);
            }

            try
            {
                await WriteAsync(async transaction => { foreach (var write in group) { await write.Work(transaction); } }, CancellationToken.None);
                group.ForEach(w => w.Done.TrySetResult());
            }
            catch (Exception) when (group.Count > 1)
            {
                foreach (var write in group)
                {
                    await WriteAloneAsync(write);
                }
            }
            catch (Exception e)
            {
                group.ForEach(w => w.Done.TrySetException(e));
            }
        }
    }

    private async Task WriteAloneAsync(PendingWrite write)
    {
        try
        {
            await WriteAsync(write.Work, CancellationToken.None);
            write.Done.TrySetResult();
        }
        catch (Exception e)
        {
            write.Done.TrySetException(e);
        }
    }

    /// <summary>A write waiting for the group commit, and its caller.</summary>
    private sealed record PendingWrite(Func<SqliteTransaction, Task> Work, TaskCompletionSource Done);

    private SqliteCommand Command(SqliteTransaction? transaction, string sql)
    {
        var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    /// <summary>Runs <paramref name="work"/> in one transaction: all of it reaches the disk, or none of it.</summary>
    private Task WriteAsync(Func<SqliteTransaction, Task> work, CancellationToken cancellationToken) => LockedAsync(async () =>
    {
        await using var transaction = (SqliteTransaction)await _connection.BeginTransactionAsync(cancellationToken);
        await work(transaction);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }, cancellationToken);

    /// <summary>One connection serves all callers; operations on it take turns.</summary>
    private async Task<T> LockedAsync<T>(Func<Task<T>> operation, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            return await operation();
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>Lets the writer commit what is queued, then stop.</summary>
    private async Task FinishWritesAsync()
    {
        _writes.Writer.TryComplete();
        if (_writeLoop is { } loop)
        {
            await loop;
        }
    }

    private void DisposeStatements()
    {
        _find.Dispose();
        _insertSend.Dispose();
        _insertResponse.Dispose();
    }

    private static string Now() => DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await FinishWritesAsync();
        DisposeStatements();
        await _connection.DisposeAsync();
        _lock.Dispose();
        _writer?.Dispose();
    }

    public void Dispose()
    {
        FinishWritesAsync().GetAwaiter().GetResult();
        DisposeStatements();
        _connection.Dispose();
        _lock.Dispose();
        _writer?.Dispose();
    }
}

/// <summary>Ledger totals for one stage and model.</summary>
/// <summary>What one answered request used.</summary>
internal sealed record LedgerUsage(string Key, string Model, long InputTokens, long OutputTokens, bool Batch);

internal sealed record LedgerStageTotals(string Stage, string Model, int Requests, int Answered, long InputTokens, long OutputTokens, int Sends)
{
    /// <summary>Of <see cref="InputTokens"/>, those of answers that came through the Batch API.</summary>
    public long BatchInputTokens { get; init; }

    /// <summary>Of <see cref="OutputTokens"/>, those of answers that came through the Batch API.</summary>
    public long BatchOutputTokens { get; init; }

    /// <summary>What the answers cost: online answers at the online price, batch answers at the batch price; null for an unpriced model.</summary>
    public decimal? Cost(Cost.PriceTable prices) =>
        prices.Cost(Model, InputTokens - BatchInputTokens, OutputTokens - BatchOutputTokens) + prices.Cost(Model, BatchInputTokens, BatchOutputTokens, batch: true);
}
