using System.ClientModel;
using System.ClientModel.Primitives;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OpenAI;
using OpenAI.Batch;
using OpenAI.Files;
using PlanAct.Teacher.Cost;
using PlanAct.Teacher.Ledger;
using PlanAct.Teacher.Limits;

namespace PlanAct.Teacher.Batch;

/// <summary>
/// Sends ledger misses through the Batch API and commits the answers into the ledger under the same keys, so the
/// next stage pass reads them exactly as online answers. Every batch is recorded in the ledger the moment it exists;
/// the runner works from the ledger, so a restarted process reattaches to running batches instead of paying twice.
/// <see cref="RunAsync"/> is the whole cycle; <see cref="SubmitAsync"/>, <see cref="StatusAsync"/>,
/// <see cref="CollectAsync"/> and <see cref="CancelAsync"/> are its single steps (<c>planact batch …</c>).
/// Request files for inspection are written by <see cref="BatchRequestFiles"/> alone, with no provider.
/// </summary>
internal sealed class BatchRunner
{
    private readonly BatchClient _batches;
    private readonly OpenAIFileClient _files;
    private readonly TeacherLedger _ledger;
    private readonly BatchSettings _settings;
    private readonly TimeProvider _time;

    /// <summary>Where collected answers are paid for, at the batch price.</summary>
    public CostMeter? Meter { get; init; }

    /// <summary>Takes the SDK's batch and file clients of one account (OpenAI's, or Azure's, which derive from them).</summary>
    public BatchRunner(BatchClient batches, OpenAIFileClient files, TeacherLedger ledger, BatchSettings? settings = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(ledger);
        _batches = batches;
        _files = files;
        _ledger = ledger;
        _settings = (settings ?? new BatchSettings()).Validate();
        _time = time ?? TimeProvider.System;
    }

    public static BatchRunner Create(OpenAIClient client, TeacherLedger ledger, BatchSettings? settings = null, TimeProvider? time = null) =>
        new(client.GetBatchClient(), client.GetOpenAIFileClient(), ledger, settings, time);

    /// <summary>
    /// The batch cycle: collect what open batches hold (waiting for them with backoff), submit the requests that still
    /// have no answer, and repeat until each has an answer or has failed in <see cref="BatchSettings.MaxRounds"/>
    /// batches. Only failed, expired or invalid requests are sent again, never one still waiting in a batch.
    /// </summary>
    public async Task<BatchCycleResult> RunAsync(IReadOnlyCollection<PendingRequest> pending, IProgress<BatchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var requests = pending.DistinctBy(r => r.Key, StringComparer.Ordinal).ToDictionary(r => r.Key, StringComparer.Ordinal);
        var submitted = new List<string>();
        var delay = _settings.PollInterval;
        while (true)
        {
            var collected = await CollectAsync(progress, cancellationToken);
            if (collected.StillOpen > 0)
            {
                await Task.Delay(delay, _time, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _settings.MaxPollInterval.Ticks));
                continue;
            }

            var unanswered = await _ledger.UnansweredAsync(requests.Keys, cancellationToken);
            var failures = await _ledger.BatchFailuresAsync(unanswered, cancellationToken);
            var exhausted = failures.Where(f => f.Value.Count >= _settings.MaxRounds).ToDictionary(f => f.Key, f => f.Value.LastError, StringComparer.Ordinal);
            var retry = unanswered.Where(k => !exhausted.ContainsKey(k)).Select(k => requests[k]).ToList();
            if (retry.Count == 0)
            {
                return new BatchCycleResult(requests.Count - unanswered.Count, exhausted, submitted);
            }

            submitted.AddRange((await SubmitAsync(retry, progress, cancellationToken)).Select(b => b.Id));
            delay = _settings.PollInterval;
        }
    }

    /// <summary>
    /// Submits the requests that have no answer and are not waiting in an open batch: request files are written,
    /// uploaded and turned into batches, each recorded in the ledger as soon as it is created.
    /// </summary>
    public async Task<IReadOnlyList<LedgerBatch>> SubmitAsync(IReadOnlyCollection<PendingRequest> pending, IProgress<BatchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var waiting = await _ledger.KeysInOpenBatchesAsync(cancellationToken);
        var unanswered = (await _ledger.UnansweredAsync(pending.Select(r => r.Key), cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var fresh = pending.Where(r => unanswered.Contains(r.Key) && !waiting.Contains(r.Key)).ToList();
        var directory = _settings.WorkDirectory ?? Path.Combine(Path.GetDirectoryName(_ledger.Path)!, "batches");
        var files = await BatchRequestFiles.WriteAsync(fresh, directory, _settings, $"submit-{Guid.NewGuid():N}", cancellationToken);
        var byKey = fresh.ToDictionary(r => r.Key, StringComparer.Ordinal);
        var created = new List<string>();
        try
        {
            foreach (var file in files)
            {
                created.Add(await SubmitFileAsync(file.Path, [.. file.Keys.Select(k => byKey[k])], progress, cancellationToken));
            }
        }
        finally
        {
            foreach (var file in files)
            {
                File.Delete(file.Path);
            }
        }

        return await BatchesAsync(created, cancellationToken);
    }

    /// <summary>
    /// Submits request files written earlier by <see cref="BatchRequestFiles.WriteAsync"/> as they are. Every line
    /// must be one of <paramref name="requests"/> (the ledger records what each send was) and must not be answered
    /// or waiting in an open batch already.
    /// </summary>
    public async Task<IReadOnlyList<LedgerBatch>> SubmitFilesAsync(
        IReadOnlyList<string> paths, IReadOnlyCollection<PendingRequest> requests, IProgress<BatchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var known = requests.DistinctBy(r => r.Key, StringComparer.Ordinal).ToDictionary(r => r.Key, StringComparer.Ordinal);
        var waiting = await _ledger.KeysInOpenBatchesAsync(cancellationToken);
        var contents = new List<(string Path, List<PendingRequest> Requests)>();
        foreach (var path in paths)
        {
            var lines = new List<(int Line, string Key)>();
            await foreach (var line in BatchRequestFiles.ReadKeysAsync(path, cancellationToken))
            {
                lines.Add(line);
            }

            var unanswered = (await _ledger.UnansweredAsync(lines.Select(l => l.Key), cancellationToken)).ToHashSet(StringComparer.Ordinal);
            foreach (var (line, key) in lines)
            {
                var problem = !known.ContainsKey(key) ? "is not among the requests the stages are waiting for"
                    : !unanswered.Contains(key) ? "is answered already"
                    : waiting.Contains(key) ? "is waiting in an open batch already"
                    : null;
                if (problem is not null)
                {
                    throw new IO.InputException(new IO.SourceLocation(path, line), $"request {key} {problem}; prepare the files again");
                }
            }

            contents.Add((path, [.. lines.Select(l => known[l.Key])]));
        }

        var created = new List<string>();
        foreach (var (path, fileRequests) in contents)
        {
            created.Add(await SubmitFileAsync(path, fileRequests, progress, cancellationToken));
        }

        return await BatchesAsync(created, cancellationToken);
    }

    /// <summary>Polls every open batch once and returns all recorded batches with what the provider now says.</summary>
    public async Task<IReadOnlyList<LedgerBatch>> StatusAsync(IProgress<BatchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        foreach (var batch in await _ledger.OpenBatchesAsync(cancellationToken))
        {
            await PollAsync(batch, progress, cancellationToken);
        }

        return await _ledger.BatchesAsync(cancellationToken);
    }

    /// <summary>
    /// Polls every open batch once and collects the finished ones: downloads output and error files, matches lines by
    /// custom id, commits the usable answers, and records why each other request of the batch has none.
    /// </summary>
    public async Task<BatchCollectResult> CollectAsync(IProgress<BatchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var answered = 0;
        var failed = new Dictionary<string, string>(StringComparer.Ordinal);
        var stillOpen = 0;
        foreach (var batch in await _ledger.OpenBatchesAsync(cancellationToken))
        {
            var state = await PollAsync(batch, progress, cancellationToken);
            if (state is not { IsFinished: true })
            {
                stillOpen++;
                continue;
            }

            List<LedgerEntry> answers;
            Dictionary<string, string> failures;
            try
            {
                (answers, failures) = await ReadResultsAsync(batch, state, cancellationToken);
            }
            catch (Exception e) when (IsTransient(e, cancellationToken))
            {
                // Nothing was committed: the batch stays open and the next pass downloads its files again.
                stillOpen++;
                continue;
            }

            if (!await _ledger.CollectBatchAsync(batch.Id, state.Status, answers, failures, CancellationToken.None))
            {
                // The pipeline's nodes share this runner and poll at the same time: another collected it, and paid for it.
                continue;
            }

            answered += answers.Count;
            foreach (var answer in answers)
            {
                if (Meter is not null && await _ledger.OriginAsync(answer.Key, CancellationToken.None) is var (stage, model))
                {
                    Meter.RecordSent(stage, model, answer.InputTokens ?? 0, answer.OutputTokens ?? 0, batch: true);
                }
            }

            foreach (var (key, reason) in failures)
            {
                failed[key] = reason;
            }
        }

        return new BatchCollectResult(answered, failed, stillOpen);
    }

    /// <summary>
    /// Asks the provider to cancel one batch, or every open one. Cancelled batches stay open until collected, which
    /// keeps whatever they answered before stopping.
    /// </summary>
    public async Task<IReadOnlyList<LedgerBatch>> CancelAsync(string? batchId = null, CancellationToken cancellationToken = default)
    {
        var open = await _ledger.OpenBatchesAsync(cancellationToken);
        var targets = batchId is null ? open : [.. open.Where(b => b.Id == batchId)];
        if (batchId is not null && targets.Count == 0)
        {
            throw new InvalidOperationException($"batch {batchId} is not an open batch of this ledger");
        }

        foreach (var batch in targets)
        {
            var operation = await CreateBatchOperation.RehydrateAsync(_batches, batch.Id, cancellationToken);
            var state = BatchState.Read(operation.GetRawResponse().Content);
            if (!state.IsFinished && state.Status != "cancelling")
            {
                state = BatchState.Read((await operation.CancelAsync(Options(cancellationToken))).GetRawResponse().Content);
            }

            await _ledger.UpdateBatchAsync(batch.Id, state.Status, state.OutputFileId, state.ErrorFileId, cancellationToken);
        }

        return await BatchesAsync([.. targets.Select(b => b.Id)], cancellationToken);
    }

    private async Task<string> SubmitFileAsync(string path, IReadOnlyList<PendingRequest> requests, IProgress<BatchProgress>? progress, CancellationToken cancellationToken)
    {
        var failures = await _ledger.BatchFailuresAsync(requests.Select(r => r.Key), cancellationToken);
        var round = 1 + (failures.Count == 0 ? 0 : failures.Values.Max(f => f.Count));
        string sha;
        await using (var stream = File.OpenRead(path))
        {
            sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
        }

        BatchState state;
        try
        {
            state = await AdoptOrCreateAsync(path, sha, cancellationToken);
        }
        catch (ClientResultException e)
        {
            throw new TeacherFailureException($"the Batch API refused {Path.GetFileName(path)}: HTTP {e.Status}", e);
        }

        // The batch exists and will be paid for: record it whatever happens to the caller's token from here on.
        await _ledger.RecordBatchAsync(new LedgerBatchCreated(state.Id, state.InputFileId, _settings.Endpoint, state.Status, round), requests, CancellationToken.None);
        progress?.Report(new BatchProgress(state.Id, state.Status, round, requests.Count, 0, 0));
        return state.Id;
    }

    /// <summary>
    /// The batch of a request file. An earlier run that uploaded the same content and never recorded its batch may have
    /// created it (the reply lost, or the process killed before the ledger write): that batch is found at the provider
    /// and adopted rather than paid for twice; otherwise its upload is used for a new batch. Uploads are recorded
    /// before the batch is created.
    /// </summary>
    private async Task<BatchState> AdoptOrCreateAsync(string path, string sha, CancellationToken cancellationToken)
    {
        if (await _ledger.FindUploadAsync(sha, _settings.Endpoint, cancellationToken) is { } earlier)
        {
            if (await FindBatchOfAsync(earlier, cancellationToken) is { } existing)
            {
                return existing;
            }

            try
            {
                return await CreateAsync(earlier.InputFileId, cancellationToken);
            }
            catch (ClientResultException e) when (e.Status == 404)
            {
                // The provider no longer has the file (deleted or expired): upload it again.
                await _ledger.ForgetUploadAsync(earlier.InputFileId, cancellationToken);
            }
        }

        OpenAIFile input;
        await using (var stream = File.OpenRead(path))
        {
            input = (await _files.UploadFileAsync(stream, Path.GetFileName(path), FileUploadPurpose.Batch, cancellationToken)).Value;
        }

        // The wall clock, not _time: the provider's batch times are compared with it.
        await _ledger.RecordUploadAsync(new LedgerUpload(input.Id, sha, _settings.Endpoint, DateTimeOffset.UtcNow), cancellationToken);
        return await CreateAsync(input.Id, cancellationToken);
    }

    private async Task<BatchState> CreateAsync(string inputFileId, CancellationToken cancellationToken)
    {
        var operation = await _batches.CreateBatchAsync(CreateBody(inputFileId), waitUntilCompleted: false, Options(cancellationToken));
        return BatchState.Read(operation.GetRawResponse().Content);
    }

    /// <summary>The provider's batch made from <paramref name="upload"/>'s file, looking back (newest first) to shortly before the upload.</summary>
    private async Task<BatchState?> FindBatchOfAsync(LedgerUpload upload, CancellationToken cancellationToken)
    {
        await foreach (var page in _batches.GetBatchesAsync(after: null, limit: 100, Options(cancellationToken)).GetRawPagesAsync())
        {
            using var list = JsonDocument.Parse(page.GetRawResponse().Content);
            foreach (var element in list.RootElement.GetProperty("data").EnumerateArray())
            {
                var batch = BatchState.Read(element);
                if (batch.InputFileId == upload.InputFileId)
                {
                    return batch;
                }

                if (batch.CreatedAt < upload.CreatedAt - TimeSpan.FromMinutes(5))
                {
                    return null;
                }
            }
        }

        return null;
    }

    private BinaryContent CreateBody(string inputFileId)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("input_file_id", inputFileId);
            json.WriteString("endpoint", _settings.Endpoint);
            json.WriteString("completion_window", _settings.CompletionWindow);
            json.WriteEndObject();
        }

        return BinaryContent.Create(new BinaryData(buffer.ToArray()));
    }

    /// <summary>What the provider says about a batch now (also noted in the ledger), or null when it could not be asked.</summary>
    private async Task<BatchState?> PollAsync(LedgerBatch batch, IProgress<BatchProgress>? progress, CancellationToken cancellationToken)
    {
        BatchState state;
        try
        {
            state = BatchState.Read((await _batches.GetBatchAsync(batch.Id, Options(cancellationToken))).GetRawResponse().Content);
        }
        catch (Exception e) when (IsTransient(e, cancellationToken))
        {
            // A failed poll changes nothing: the batch is still there, the next poll asks again.
            return null;
        }

        await _ledger.UpdateBatchAsync(batch.Id, state.Status, state.OutputFileId, state.ErrorFileId, cancellationToken);
        progress?.Report(new BatchProgress(batch.Id, state.Status, batch.Round, state.Total, state.Completed, state.Failed));
        return state;
    }

    private async Task<(List<LedgerEntry> Answers, Dictionary<string, string> Failures)> ReadResultsAsync(LedgerBatch batch, BatchState state, CancellationToken cancellationToken)
    {
        var waiting = (await _ledger.WaitingKeysAsync(batch.Id, cancellationToken)).ToHashSet(StringComparer.Ordinal);

        // A batch answers all at once: each answer's latency is the batch's time from creation to its end.
        var latency = (long)Math.Max(0, ((state.EndedAt ?? _time.GetUtcNow()) - state.CreatedAt).TotalMilliseconds);
        var answers = new Dictionary<string, LedgerEntry>(StringComparer.Ordinal);
        var failures = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var fileId in new[] { state.OutputFileId, state.ErrorFileId }.OfType<string>())
        {
            await foreach (var text in DownloadLinesAsync(fileId, cancellationToken))
            {
                if (BatchResultLine.Read(text) is not { } line || !waiting.Contains(line.Key) || answers.ContainsKey(line.Key))
                {
                    continue;
                }

                if (line.Answer is { } answer)
                {
                    answers[line.Key] = LedgerEntry.From(line.Key, answer, latency);
                    failures.Remove(line.Key);
                }
                else
                {
                    failures[line.Key] = line.Error!;
                }
            }
        }

        foreach (var key in waiting.Where(k => !answers.ContainsKey(k) && !failures.ContainsKey(k)))
        {
            failures[key] = state.MissingReason;
        }

        return ([.. answers.Values], failures);
    }

    /// <summary>A result file line by line as it arrives: output files can be as large as the input files.</summary>
    private async IAsyncEnumerable<string> DownloadLinesAsync(string fileId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var options = Options(cancellationToken);
        options.BufferResponse = false;
        using var response = (await _files.DownloadFileAsync(fileId, options)).GetRawResponse();
        using var reader = new StreamReader(response.ContentStream!, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                yield return line;
            }
        }
    }

    private async Task<IReadOnlyList<LedgerBatch>> BatchesAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        var wanted = ids.ToHashSet(StringComparer.Ordinal);
        return [.. (await _ledger.BatchesAsync(cancellationToken)).Where(b => wanted.Contains(b.Id))];
    }

    private static RequestOptions Options(CancellationToken cancellationToken) => new() { CancellationToken = cancellationToken };

    /// <summary>Polls and downloads wait for the next pass on any error the online path would retry, 429 included.</summary>
    private static bool IsTransient(Exception e, CancellationToken cancellationToken) =>
        RetryingChatClient.IsTransient(e, cancellationToken) || e is ClientResultException { Status: 429 };
}
