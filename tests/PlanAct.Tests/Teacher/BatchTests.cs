using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using OpenAI;
using PlanAct.IO;
using PlanAct.Loopback;
using PlanAct.Teacher;
using PlanAct.Teacher.Batch;
using PlanAct.Teacher.Ledger;
using PlanAct.Teacher.Limits;

namespace PlanAct.Tests.Teacher;

/// <summary>The Batch API layer over the real OpenAI SDK, against the loopback teacher's files and batches over HTTP.</summary>
public class BatchTests
{
    private static readonly BatchSettings Fast = new()
    {
        PollInterval = TimeSpan.FromMilliseconds(2),
        MaxPollInterval = TimeSpan.FromMilliseconds(10),
        MaxRounds = 2,
    };

    private static readonly ChatOptions Sampling = new()
    {
        Temperature = 0.2f,
        TopP = 0.9f,
        MaxOutputTokens = 300,
        Seed = 7,
        StopSequences = ["## End"],
    };

    private static TeacherOptions Options(LoopbackTeacher teacher) => new() { BaseUrl = teacher.BaseUrl, ApiKey = "sk-test", Model = "loopback-model" };

    private static BatchRunner Runner(LoopbackTeacher teacher, TeacherLedger ledger, BatchSettings? settings = null) =>
        BatchRunner.Create(
            new OpenAIClient(new ApiKeyCredential("sk-test"), new OpenAIClientOptions { Endpoint = teacher.BaseUrl, RetryPolicy = new ClientRetryPolicy(maxRetries: 0) }),
            ledger,
            settings ?? Fast);

    private static Task<TeacherLedger> Ledger(string? path = null) => TeacherLedger.OpenAsync(path ?? Path.Combine(TestPaths.TempDir(), "ledger.db"));

    /// <summary>A stage pass in batch mode: every question asked; ledger misses go to the collector.</summary>
    private static async Task<Dictionary<string, ChatResponse>> Pass(LoopbackTeacher teacher, TeacherLedger ledger, PendingRequestCollector collector, params string[] questions)
    {
        var client = new LedgerChatClient(TeacherClientFactory.CreateProviderClient(Options(teacher)), ledger, "loopback-model") { Defer = collector.Defer };
        var answered = new Dictionary<string, ChatResponse>();
        foreach (var question in questions)
        {
            try
            {
                answered[question] = await Ask(client, question);
            }
            catch (RequestDeferredException)
            {
            }
        }

        return answered;
    }

    private static Task<ChatResponse> Ask(IChatClient client, string question) =>
        client.GetResponseAsync(
            [new ChatMessage(ChatRole.System, "You annotate <html> pages."), new ChatMessage(ChatRole.User, question)],
            new TeacherRequest("annotate", $"item-{question}", 0).ApplyTo(Sampling));

    private static async Task<IReadOnlyCollection<PendingRequest>> Pending(LoopbackTeacher teacher, TeacherLedger ledger, params string[] questions)
    {
        var collector = new PendingRequestCollector();
        await Pass(teacher, ledger, collector, questions);
        return collector.Pending;
    }

    private static string KeyOf(IEnumerable<PendingRequest> pending, string question) =>
        pending.Single(p => p.Messages[^1].Text == question).Key;

    private static LoopbackReply Echo(ReceivedRequest request) => request.LastUserMessage switch
    {
        "think" => new LoopbackReply.Answer("<think>the page has a search bar</think>## Step 1"),
        "field" => new LoopbackReply.Answer("## Step 1", ReasoningContent: "from the field"),
        var q => new LoopbackReply.Answer($"answer to {q}"),
    };

    [Fact]
    public async Task Batched_answers_land_under_the_online_keys_with_the_online_body_and_text()
    {
        string[] questions = ["q1", "think", "field"];
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => Echo(r));

        await using var online = await Ledger();
        var onlineClient = new LedgerChatClient(TeacherClientFactory.CreateProviderClient(Options(teacher)), online, "loopback-model");
        var onlineAnswers = new Dictionary<string, ChatResponse>();
        foreach (var question in questions)
        {
            onlineAnswers[question] = await Ask(onlineClient, question);
        }

        var onlineBodies = teacher.Received.ToDictionary(r => r.LastUserMessage, r => r.Body);

        await using var batched = await Ledger();
        var collector = new PendingRequestCollector();
        Assert.Empty(await Pass(teacher, batched, collector, questions));
        var result = await Runner(teacher, batched).RunAsync(collector.Pending);
        Assert.Equal(3, result.Answered);
        Assert.Empty(result.Failed);

        var batch = Assert.Single(teacher.Batches);
        foreach (var line in batch.Lines)
        {
            var body = line["body"]!;
            var question = (string)body["messages"]!.AsArray()[^1]!["content"]!;
            Assert.True(JsonNode.DeepEquals(onlineBodies[question], body), $"batch body {body.ToJsonString()} differs from the online body {onlineBodies[question].ToJsonString()}");
            Assert.Equal("POST", (string?)line["method"]);
            Assert.Equal("/v1/chat/completions", (string?)line["url"]);
        }

        var calls = teacher.Calls;
        var again = await Pass(teacher, batched, new PendingRequestCollector(), questions);
        Assert.Equal(calls, teacher.Calls);
        foreach (var question in questions)
        {
            var (first, second) = (onlineAnswers[question], again[question]);
            Assert.Equal(first.AdditionalProperties![TeacherRequest.RequestIdProperty], second.AdditionalProperties![TeacherRequest.RequestIdProperty]);
            Assert.Equal(first.Text, second.Text);
            Assert.Equal(first.AdditionalProperties[TeacherRequest.ReasoningProperty], second.AdditionalProperties[TeacherRequest.ReasoningProperty]);
            Assert.Equal(first.FinishReason, second.FinishReason);
            Assert.Equal(true, second.AdditionalProperties[TeacherRequest.FromLedgerProperty]);
            Assert.Equal(1, await batched.SendCountAsync((string)second.AdditionalProperties[TeacherRequest.RequestIdProperty]!));
        }

        Assert.Equal("## Step 1", again["think"].Text);
        Assert.Equal("the page has a search bar", again["think"].AdditionalProperties![TeacherRequest.ReasoningProperty]);
        var recorded = Assert.Single(await batched.BatchesAsync());
        Assert.Equal((batch.Id, "completed", 1, 3, 3, false), (recorded.Id, recorded.Status, recorded.Round, recorded.Requests, recorded.Answered, recorded.IsOpen));
    }

    [Fact]
    public async Task Request_files_split_at_the_request_and_byte_limits_in_a_stable_order()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => Echo(r));
        await using var ledger = await Ledger();
        var pending = (await Pending(teacher, ledger, "a", "b", "c", "d", "e")).ToList();
        var directory = TestPaths.TempDir();

        var byCount = await BatchRequestFiles.WriteAsync(pending, directory, Fast with { MaxRequestsPerFile = 2 });
        Assert.Equal([2, 2, 1], byCount.Select(f => f.Keys.Count));
        var order = byCount.SelectMany(f => f.Keys).ToList();
        Assert.Equal(pending.Select(p => p.Key).Order(StringComparer.Ordinal), order.Order(StringComparer.Ordinal));
        foreach (var file in byCount)
        {
            Assert.Equal(file.Bytes, new FileInfo(file.Path).Length);
            var keys = new List<string>();
            await foreach (var (_, key) in BatchRequestFiles.ReadKeysAsync(file.Path))
            {
                keys.Add(key);
            }

            Assert.Equal(file.Keys, keys);
        }

        // Shuffled and repeated input gives the same files; a smaller write removes the stale extra file.
        var line = BatchRequestLine.Serialize(pending[0], BatchSettings.OpenAIEndpoint).Length;
        var shuffled = pending.AsEnumerable().Reverse().Concat(pending).ToList();
        var byBytes = await BatchRequestFiles.WriteAsync(shuffled, directory, Fast with { MaxBytesPerFile = (line * 5 / 2) + 1 });
        Assert.Equal([2, 2, 1], byBytes.Select(f => f.Keys.Count));
        Assert.Equal(order, byBytes.SelectMany(f => f.Keys));
        Assert.All(byBytes, f => Assert.True(f.Bytes <= (line * 5 / 2) + 1));

        var whole = await BatchRequestFiles.WriteAsync(pending, directory, Fast);
        Assert.Single(whole);
        Assert.Single(Directory.GetFiles(directory, "requests-*.jsonl"));

        // One model per file.
        var twoModels = pending.Select((p, i) => i < 2 ? p with { Model = "other-model" } : p);
        Assert.Equal([("loopback-model", 3), ("other-model", 2)], (await BatchRequestFiles.WriteAsync(twoModels, directory, Fast)).Select(f => (f.Model, f.Keys.Count)).Order());
        await Assert.ThrowsAsync<InvalidOperationException>(() => BatchRequestFiles.WriteAsync(pending, directory, Fast with { MaxBytesPerFile = line - 1 }));
    }

    [Fact]
    public async Task A_new_process_reattaches_to_a_running_batch_and_collects_it_without_resubmitting()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => Echo(r), _ => new LoopbackBatchPlan(PollsInProgress: 3));
        var path = Path.Combine(TestPaths.TempDir(), "ledger.db");
        IReadOnlyCollection<PendingRequest> pending;
        await using (var ledger = await Ledger(path))
        {
            pending = await Pending(teacher, ledger, "q1", "q2");
            using var stop = new CancellationTokenSource();
            var progress = new SyncProgress<BatchProgress>(p =>
            {
                if (p.Status == "in_progress")
                {
                    stop.Cancel();
                }
            });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Runner(teacher, ledger).RunAsync(pending, progress, stop.Token));
            var open = Assert.Single(await ledger.OpenBatchesAsync());
            Assert.Equal(teacher.Batches[0].Id, open.Id);
            Assert.Equal(2, open.Waiting);
        }

        await using (var ledger = await Ledger(path))
        {
            var result = await Runner(teacher, ledger).RunAsync(pending);
            Assert.Equal(2, result.Answered);
            Assert.Empty(result.SubmittedBatchIds);
            Assert.Single(teacher.Batches);
            Assert.Empty(await ledger.OpenBatchesAsync());
            foreach (var request in pending)
            {
                Assert.Equal($"answer to {request.Messages[^1].Text}", (await ledger.FindAsync(request.Key))!.Text);
                Assert.Equal(1, await ledger.SendCountAsync(request.Key));
            }
        }
    }

    [Fact]
    public async Task A_batch_created_by_a_call_whose_reply_was_lost_is_adopted_not_created_again()
    {
        // The provider makes the first batch but its reply never arrives: the run fails, and a new process must find
        // that batch through the recorded upload instead of paying for a second one.
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => Echo(r), n => new LoopbackBatchPlan(CreateReplyLost: n == 0));
        var path = Path.Combine(TestPaths.TempDir(), "ledger.db");
        IReadOnlyCollection<PendingRequest> pending;
        await using (var ledger = await Ledger(path))
        {
            pending = await Pending(teacher, ledger, "q1", "q2");
            await Assert.ThrowsAsync<TeacherFailureException>(() => Runner(teacher, ledger).RunAsync(pending));
            Assert.Single(teacher.Batches);
            Assert.Empty(await ledger.OpenBatchesAsync());
        }

        await using (var ledger = await Ledger(path))
        {
            var result = await Runner(teacher, ledger).RunAsync(pending);

            Assert.Equal(2, result.Answered);
            Assert.Single(teacher.Batches);
            Assert.Equal([teacher.Batches[0].Id], result.SubmittedBatchIds);
            foreach (var request in pending)
            {
                Assert.Equal($"answer to {request.Messages[^1].Text}", (await ledger.FindAsync(request.Key))!.Text);
                Assert.Equal(1, await ledger.SendCountAsync(request.Key));
            }
        }
    }

    [Fact]
    public async Task An_upload_whose_batch_was_never_created_is_used_for_the_batch_without_uploading_again()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => Echo(r));
        var dir = TestPaths.TempDir();
        await using var ledger = await Ledger(Path.Combine(dir, "ledger.db"));
        var pending = await Pending(teacher, ledger, "q1");
        var files = await BatchRequestFiles.WriteAsync(pending, dir, Fast, "test");
        var content = await File.ReadAllBytesAsync(files[0].Path);
        var client = new OpenAI.OpenAIClient(new System.ClientModel.ApiKeyCredential("sk-test"), new OpenAI.OpenAIClientOptions { Endpoint = teacher.BaseUrl });
        var uploaded = (await client.GetOpenAIFileClient().UploadFileAsync(new BinaryData(content), "earlier.jsonl", OpenAI.Files.FileUploadPurpose.Batch)).Value;
        await ledger.RecordUploadAsync(new LedgerUpload(uploaded.Id, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content)), Fast.Endpoint, DateTimeOffset.UtcNow));

        var result = await Runner(teacher, ledger).RunAsync(pending);

        Assert.Equal(1, result.Answered);
        var batch = Assert.Single(teacher.Batches);
        Assert.Equal(uploaded.Id, (await ledger.BatchesAsync()).Single().InputFileId);
        Assert.Null(await ledger.FindUploadAsync(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content)), Fast.Endpoint));
        Assert.Equal(batch.Id, result.SubmittedBatchIds.Single());
    }

    [Fact]
    public async Task Failed_lines_are_resubmitted_alone()
    {
        var seen = new ConcurrentDictionary<string, int>();
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) =>
            r.LastUserMessage == "q2" && seen.AddOrUpdate("q2", 1, (_, n) => n + 1) == 1 ? new LoopbackReply.Status(500) : Echo(r));
        await using var ledger = await Ledger();
        var pending = await Pending(teacher, ledger, "q1", "q2", "q3");

        var result = await Runner(teacher, ledger).RunAsync(pending);

        Assert.Equal(3, result.Answered);
        Assert.Equal(2, teacher.Batches.Count);
        Assert.Equal([KeyOf(pending, "q2")], teacher.Batches[1].CustomIds);
        Assert.Equal(2, await ledger.SendCountAsync(KeyOf(pending, "q2")));
        Assert.Equal(1, await ledger.SendCountAsync(KeyOf(pending, "q1")));
        var batches = await ledger.BatchesAsync();
        Assert.Equal([(2, 1, 0), (1, 2, 1)], batches.Select(b => (b.Round, b.Answered, b.Failed)));
    }

    [Fact]
    public async Task An_expired_batch_keeps_its_answers_and_resubmits_only_the_missing_requests()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => Echo(r), n => n == 0 ? new LoopbackBatchPlan(Outcome: "expired", LinesBeforeExpiry: 2) : new LoopbackBatchPlan());
        await using var ledger = await Ledger();
        var pending = await Pending(teacher, ledger, "a", "b", "c", "d", "e");

        var result = await Runner(teacher, ledger).RunAsync(pending);

        Assert.Equal(5, result.Answered);
        Assert.Equal(2, teacher.Batches.Count);
        Assert.Equal(teacher.Batches[0].CustomIds.Skip(2), teacher.Batches[1].CustomIds);
        Assert.Equal("expired", (await ledger.BatchesAsync())[^1].Status);
    }

    [Fact]
    public async Task An_answer_cut_by_length_is_never_committed_and_fails_for_good_after_the_last_round()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => r.LastUserMessage == "long" ? new LoopbackReply.Answer("cut sh", FinishReason: "length") : Echo(r));
        await using var ledger = await Ledger();
        var pending = await Pending(teacher, ledger, "long", "short");
        var key = KeyOf(pending, "long");

        var result = await Runner(teacher, ledger).RunAsync(pending);

        Assert.Equal(1, result.Answered);
        Assert.Contains("finish_reason = length", Assert.Single(result.Failed, f => f.Key == key).Value, StringComparison.Ordinal);
        Assert.Null(await ledger.FindAsync(key));
        Assert.Equal(2, teacher.Batches.Count);
        Assert.Equal([key], teacher.Batches[1].CustomIds);

        // A restarted cycle does not send it again; the next stage pass fails the item instead of waiting.
        var rerun = await Runner(teacher, ledger).RunAsync(pending);
        Assert.Equal(2, teacher.Batches.Count);
        Assert.Equal(result.Failed, rerun.Failed);
        var collector = new PendingRequestCollector(rerun.Failed);
        var client = new LedgerChatClient(TeacherClientFactory.CreateProviderClient(Options(teacher)), ledger, "loopback-model") { Defer = collector.Defer };
        await Assert.ThrowsAsync<TeacherFailureException>(() => Ask(client, "long"));
        Assert.Equal("answer to short", (await Ask(client, "short")).Text);
    }

    [Fact]
    public async Task Error_file_lines_and_malformed_answers_are_failures_with_their_reasons()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => r.LastUserMessage switch
        {
            "bad" => new LoopbackReply.Malformed("{not json"),
            "hang" => new LoopbackReply.Hang(TimeSpan.Zero),
            "refused" => new LoopbackReply.Status(400),
            _ => Echo(r),
        });
        await using var ledger = await Ledger();
        var pending = await Pending(teacher, ledger, "ok", "bad", "hang", "refused");

        var result = await Runner(teacher, ledger, Fast with { MaxRounds = 1 }).RunAsync(pending);

        Assert.Equal(1, result.Answered);
        Assert.Equal("the answer is not a chat completion", result.Failed[KeyOf(pending, "bad")]);
        Assert.Equal("request_timeout: scripted hang", result.Failed[KeyOf(pending, "hang")]);
        Assert.Equal("HTTP 400: scripted 400", result.Failed[KeyOf(pending, "refused")]);
        Assert.Single(teacher.Batches);
    }

    [Fact]
    public async Task A_failed_batch_is_submitted_again()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => Echo(r), n => n == 0 ? new LoopbackBatchPlan(Outcome: "failed") : new LoopbackBatchPlan());
        await using var ledger = await Ledger();
        var pending = await Pending(teacher, ledger, "q1", "q2");

        var result = await Runner(teacher, ledger).RunAsync(pending);

        Assert.Equal(2, result.Answered);
        Assert.Equal(2, result.SubmittedBatchIds.Count);
        var failed = (await ledger.BatchesAsync()).Single(b => b.Id == teacher.Batches[0].Id);
        Assert.Equal(("failed", 2), (failed.Status, failed.Failed));
        var reasons = await ledger.BatchFailuresAsync(pending.Select(p => p.Key));
        Assert.All(reasons.Values, r => Assert.Contains("scripted batch failure", r.LastError, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Single_steps_submit_status_cancel_and_collect()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => Echo(r), n => n == 0 ? new LoopbackBatchPlan(PollsInProgress: 100) : new LoopbackBatchPlan());
        await using var ledger = await Ledger();
        var pending = await Pending(teacher, ledger, "q1", "q2");
        var runner = Runner(teacher, ledger);

        var submitted = Assert.Single(await runner.SubmitAsync(pending));
        Assert.Empty(await runner.SubmitAsync(pending));
        Assert.Equal("in_progress", Assert.Single(await runner.StatusAsync()).Status);
        Assert.Equal("cancelling", Assert.Single(await runner.CancelAsync()).Status);

        var collected = await runner.CollectAsync();
        Assert.Equal((0, 0), (collected.Answered, collected.StillOpen));
        Assert.All(pending, p => Assert.Equal("the batch was cancelled before this request ran", collected.Failed[p.Key]));
        var cancelled = Assert.Single(await ledger.BatchesAsync());
        Assert.Equal((submitted.Id, "cancelled", 2, false), (cancelled.Id, cancelled.Status, cancelled.Failed, cancelled.IsOpen));

        // Prepared files are submitted as they are, and only while their requests still wait for an answer.
        var files = await BatchRequestFiles.WriteAsync(pending, TestPaths.TempDir(), Fast);
        await runner.SubmitFilesAsync([.. files.Select(f => f.Path)], pending);
        Assert.Equal(2, (await runner.CollectAsync()).Answered);
        Assert.Equal(files[0].Keys, teacher.Batches[1].CustomIds);
        await Assert.ThrowsAsync<InputException>(() => runner.SubmitFilesAsync([.. files.Select(f => f.Path)], pending));
    }

    [Fact]
    public async Task A_finished_batch_two_callers_collect_at_once_is_collected_and_paid_for_once()
    {
        // The nodes of a pipeline run share one runner and poll the open batches at the same time.
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => Echo(r));
        await using var ledger = await Ledger();
        var pending = await Pending(teacher, ledger, "q1", "q2");
        var runner = Runner(teacher, ledger);
        var batch = Assert.Single(await runner.SubmitAsync(pending));

        var both = await Task.WhenAll(runner.CollectAsync(), runner.CollectAsync());

        Assert.Equal(2, both.Sum(c => c.Answered));
        Assert.False(await ledger.CollectBatchAsync(batch.Id, "completed", [], new Dictionary<string, string>()));
        Assert.Equal("completed", Assert.Single(await ledger.BatchesAsync()).Status);
    }

    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
