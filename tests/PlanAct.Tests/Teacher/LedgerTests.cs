using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using PlanAct.Loopback;
using PlanAct.Teacher;
using PlanAct.Teacher.Ledger;

namespace PlanAct.Tests.Teacher;

/// <summary>The ledger layer over the real OpenAI SDK, against the loopback teacher over HTTP.</summary>
public class LedgerTests
{
    private const string SecretKey = "sk-test-SECRET-0123456789";

    private static TeacherOptions Options(LoopbackTeacher teacher, bool refresh = false) =>
        new() { BaseUrl = teacher.BaseUrl, ApiKey = SecretKey, Model = "loopback-model", Refresh = refresh };

    private static LedgerChatClient Client(TeacherOptions options, TeacherLedger ledger) =>
        new(TeacherClientFactory.CreateProviderClient(options), ledger, options.Model!, options.Refresh);

    private static Task<ChatResponse> Ask(IChatClient client, string question, TeacherRequest request) =>
        client.GetResponseAsync([new ChatMessage(ChatRole.System, "You are a test."), new ChatMessage(ChatRole.User, question)], request.ApplyTo(new ChatOptions { Temperature = 0 }));

    [Fact]
    public async Task Answers_committed_together_are_all_durable_and_a_bad_one_fails_only_its_caller()
    {
        var path = Path.Combine(TestPaths.TempDir(), "ledger.db");
        await using (var ledger = await TeacherLedger.OpenAsync(path))
        {
            var sends = Enumerable.Range(0, 200).Select(i => ledger.RecordSendAsync($"k{i}", new TeacherRequest("annotate", $"item-{i}", 0), "m", "{}"u8.ToArray())).ToList();
            var commits = Enumerable.Range(0, 200)
                .Select(i => ledger.CommitAsync(new LedgerEntry($"k{i}", i == 77 ? null! : $"answer {i}", null, "stop", 10, 5, 3, DateTimeOffset.UtcNow)))
                .ToList();
            await Task.WhenAll(sends);
            var results = await Task.WhenAll(commits.Select(async c =>
            {
                try
                {
                    await c;
                    return null;
                }
                catch (Exception e)
                {
                    return e;
                }
            }));

            Assert.Equal([77], results.Select((e, i) => (e, i)).Where(r => r.e is not null).Select(r => r.i));
        }

        await using var reopened = await TeacherLedger.OpenReadOnlyAsync(path);
        for (var i = 0; i < 200; i++)
        {
            Assert.Equal(i == 77 ? null : $"answer {i}", (await reopened.FindAsync($"k{i}"))?.Text);
            Assert.Equal(1, await reopened.SendCountAsync($"k{i}"));
        }
    }

    [Fact]
    public async Task A_rerun_sends_nothing_already_answered_and_refresh_sends_again()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, call) => new LoopbackReply.Answer($"answer {call} to {r.LastUserMessage}"));
        var path = Path.Combine(TestPaths.TempDir(), "ledger.db");
        var request = new TeacherRequest("annotate", "traj-1", 0);

        string first;
        await using (var ledger = await TeacherLedger.OpenAsync(path))
        {
            var response = await Ask(Client(Options(teacher), ledger), "q1", request);
            first = response.Text;
            Assert.Equal("answer 0 to q1", first);
            Assert.Equal(false, response.AdditionalProperties![TeacherRequest.FromLedgerProperty]);
            Assert.Equal(100, response.Usage!.InputTokenCount);
        }

        await using (var ledger = await TeacherLedger.OpenAsync(path))
        {
            var client = Client(Options(teacher), ledger);
            var again = await Ask(client, "q1", request);
            Assert.Equal(first, again.Text);
            Assert.Equal(true, again.AdditionalProperties![TeacherRequest.FromLedgerProperty]);
            Assert.Equal(1, teacher.Calls);

            // Another attempt, item or stage is another request.
            await Ask(client, "q1", request with { Attempt = 1 });
            await Ask(client, "q1", request with { Item = "traj-2" });
            Assert.Equal(3, teacher.Calls);

            var refreshed = await Ask(Client(Options(teacher, refresh: true), ledger), "q1", request);
            Assert.Equal("answer 3 to q1", refreshed.Text);
            var key = (string)refreshed.AdditionalProperties![TeacherRequest.RequestIdProperty]!;
            Assert.Equal(2, await ledger.SendCountAsync(key));
            Assert.Equal("answer 3 to q1", (await ledger.FindAsync(key))!.Text);

            var totals = Assert.Single(await ledger.TotalsAsync());
            Assert.Equal(("annotate", "loopback-model", 3, 3), (totals.Stage, totals.Model, totals.Requests, totals.Answered));
        }
    }

    [Fact]
    public async Task The_provider_never_sees_our_bookkeeping_and_the_ledger_never_holds_the_key()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((_, _) => new LoopbackReply.Answer("ok"));
        var path = Path.Combine(TestPaths.TempDir(), "ledger.db");
        await using (var ledger = await TeacherLedger.OpenAsync(path))
        {
            await Ask(Client(Options(teacher), ledger), "q", new TeacherRequest("act", "x", 0));
        }

        var received = Assert.Single(teacher.Received);
        Assert.Equal($"Bearer {SecretKey}", received.Authorization);
        Assert.DoesNotContain("planact.", received.Body.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("loopback-model", (string?)received.Body["model"]);

        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(path)!))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.False(bytes.AsSpan().IndexOf("SECRET"u8) >= 0, $"{file} holds the API key");
        }

        Assert.DoesNotContain(SecretKey, Options(teacher).ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<think>page shows a search bar</think>## Step 1", null, "## Step 1", "page shows a search bar")]
    [InlineData("## Step 1", "the field reasoning", "## Step 1", "the field reasoning")]
    [InlineData("plain answer", null, "plain answer", null)]
    [InlineData("left over</think>\nanswer", null, "answer", "left over")]
    public async Task Reasoning_is_kept_apart_from_the_answer(string content, string? reasoningContent, string answer, string? reasoning)
    {
        await using var teacher = await LoopbackTeacher.StartAsync((_, _) => new LoopbackReply.Answer(content, ReasoningContent: reasoningContent));
        await using var ledger = await TeacherLedger.OpenAsync(Path.Combine(TestPaths.TempDir(), "ledger.db"));
        var response = await Ask(Client(Options(teacher), ledger), "q", new TeacherRequest("annotate", "t", 0));
        Assert.Equal(answer, response.Text);
        Assert.Equal(reasoning, response.AdditionalProperties![TeacherRequest.ReasoningProperty]);
    }

    [Fact]
    public void Request_keys_are_those_earlier_versions_wrote()
    {
        // A ledger outlives the build that wrote it: a re-run after an upgrade must find its answers under the same keys.
        // Key and canonical JSON as written before the key was built in a reused buffer (commit ad3ff31).
        ChatMessage[] messages = [new(ChatRole.System, "You plan."), new(ChatRole.User, "<div id=\"1\">Prix: 12,99 € — \"déjà\" & <b>vu</b>\n東京 🙂</div>")];
        var (key, json) = RequestKey.Compute("gpt-4.1-mini", new ChatOptions { Temperature = 0, MaxOutputTokens = 2048 }, messages, new TeacherRequest("annotate", "t", 1));
        Assert.Equal("962f22a3db91f18c64f7cd9ad72f9d27aedaf2ff88f5c5e0c0cddb41ce85e666", key);
        Assert.Equal(
            """{"model":"gpt-4.1-mini","stage":"annotate","item":"t","attempt":1,"parameters":{"temperature":0,"max_output_tokens":2048},"messages":[{"role":"system","content":"You plan."},{"role":"user","content":"\u003Cdiv id=\u00221\u0022\u003EPrix: 12,99 \u20AC \u2014 \u0022d\u00E9j\u00E0\u0022 \u0026 \u003Cb\u003Evu\u003C/b\u003E\n\u6771\u4EAC \uD83D\uDE42\u003C/div\u003E"}]}""",
            Encoding.UTF8.GetString(json));

        // A second key on the same thread reuses the buffer: nothing of the first is left in it.
        Assert.Equal(RequestKey.Compute("m", null, [new(ChatRole.User, "q")], new TeacherRequest("annotate", "t", 0)).CanonicalJson, RequestKey.Compute("m", null, [new(ChatRole.User, "q")], new TeacherRequest("annotate", "t", 0)).CanonicalJson);
        Assert.DoesNotContain("You plan", Encoding.UTF8.GetString(RequestKey.Compute("m", null, [new(ChatRole.User, "q")], new TeacherRequest("annotate", "t", 0)).CanonicalJson), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_is_stored_as_the_text_of_its_canonical_json()
    {
        // The key's JSON comes as UTF-8 bytes; the ledger keeps it as text, as earlier versions did, so queries on it
        // (and SQLite's JSON functions) read text, not a blob.
        var path = Path.Combine(TestPaths.TempDir(), "ledger.db");
        ChatMessage[] messages = [new(ChatRole.User, "Prix: 12,99 € — 東京 🙂")];
        var request = new TeacherRequest("annotate", "t", 1);
        var (key, json) = RequestKey.Compute("m", null, messages, request);
        await using (var ledger = await TeacherLedger.OpenAsync(path))
        {
            await ledger.RecordSendAsync(key, request, "m", json);
            await ledger.RecordSendAsync(key, request, "m", json);
        }

        await using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT typeof(request_json), request_json, json_extract(request_json, '$.messages[0].content'), sends FROM requests WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("text", reader.GetString(0));
        Assert.Equal(Encoding.UTF8.GetString(json), reader.GetString(1));
        Assert.Equal("Prix: 12,99 € — 東京 🙂", reader.GetString(2));
        Assert.Equal(2, reader.GetInt32(3));
    }

    [Fact]
    public void Request_keys_depend_on_everything_that_changes_the_answer()
    {
        ChatMessage[] messages = [new(ChatRole.User, "q")];
        var request = new TeacherRequest("annotate", "t", 0);
        var key = RequestKey.Compute("m", new ChatOptions { Temperature = 0 }, messages, request).Key;
        Assert.Equal(key, RequestKey.Compute("m", new ChatOptions { Temperature = 0 }, [new(ChatRole.User, "q")], request).Key);
        Assert.NotEqual(key, RequestKey.Compute("m2", new ChatOptions { Temperature = 0 }, messages, request).Key);
        Assert.NotEqual(key, RequestKey.Compute("m", new ChatOptions { Temperature = 1 }, messages, request).Key);
        Assert.NotEqual(key, RequestKey.Compute("m", new ChatOptions { Temperature = 0 }, [new(ChatRole.User, "q2")], request).Key);
        Assert.NotEqual(key, RequestKey.Compute("m", new ChatOptions { Temperature = 0 }, messages, request with { Stage = "act" }).Key);
    }

    [Fact]
    public async Task A_ledger_opened_read_only_reads_everything_and_refuses_writes_and_a_missing_one_is_not_created()
    {
        var dir = TestPaths.TempDir();
        var path = Path.Combine(dir, "ledger.db");
        var request = new TeacherRequest("annotate", "t1", 1);
        await using (var writable = await TeacherLedger.OpenAsync(path))
        {
            await writable.RecordSendAsync("k1", request, "m", "{}"u8.ToArray());
            await writable.CommitAsync(new LedgerEntry("k1", "answer", null, "stop", 10, 5, 3, DateTimeOffset.UtcNow));

            // While a run holds it open, a reader sees what it committed.
            await using var reader = await TeacherLedger.OpenReadOnlyAsync(path);
            Assert.Equal("answer", (await reader.FindAsync("k1"))?.Text);
        }

        var before = await File.ReadAllBytesAsync(path);
        await using (var readOnly = await TeacherLedger.OpenReadOnlyAsync(path))
        {
            Assert.Equal("answer", (await readOnly.FindAsync("k1"))?.Text);
            Assert.Equal([("annotate", 3L)], await readOnly.LatenciesAsync());
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => readOnly.RecordSendAsync("k2", request, "m", "{}"u8.ToArray()));
            Assert.Contains("not open to write", refused.Message, StringComparison.Ordinal);
        }

        Assert.Equal(before, await File.ReadAllBytesAsync(path));
        var missing = Path.Combine(dir, "nowhere", "ledger.db");
        await Assert.ThrowsAsync<FileNotFoundException>(() => TeacherLedger.OpenReadOnlyAsync(missing));
        Assert.False(Directory.Exists(Path.GetDirectoryName(missing)));
    }
}
