using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace PlanAct.Loopback;

/// <summary>What the loopback teacher does with one request.</summary>
public abstract record LoopbackReply
{
    public sealed record Answer(string Text, string FinishReason = "stop", string? ReasoningContent = null) : LoopbackReply;

    public sealed record Status(int Code, int? RetryAfterSeconds = null) : LoopbackReply;

    public sealed record Malformed(string Body) : LoopbackReply;

    /// <summary>Holds the connection open without answering, past the client's timeout.</summary>
    public sealed record Hang(TimeSpan Duration) : LoopbackReply;

    /// <summary>Another reply, given after a delay (a slow model). In a batch the delay is not waited.</summary>
    public sealed record Delayed(TimeSpan Delay, LoopbackReply Then) : LoopbackReply;

    /// <summary><paramref name="Then"/>, given once <paramref name="Gate"/> has completed (a test's order of events across requests).</summary>
    public sealed record After(Task Gate, LoopbackReply Then) : LoopbackReply;

    /// <summary><paramref name="Reply"/>, and once its response is complete on the wire, <paramref name="Sent"/> (a test's cue: the answer has arrived).</summary>
    public sealed record ThenSignal(LoopbackReply Reply, Action Sent) : LoopbackReply;
}

/// <summary>A request the loopback teacher received, with the URL path it came on (a batch line: the batch's endpoint).</summary>
public sealed record ReceivedRequest(JsonNode Body, string? Authorization, DateTimeOffset At, string Path)
{
    public string LastUserMessage => Body["messages"]!.AsArray().Last(m => (string?)m!["role"] == "user")!["content"]!.ToString();
}

/// <summary>
/// An OpenAI-compatible server on 127.0.0.1 with scripted answers and faults, for driving the real OpenAI SDK over
/// HTTP in tests: chat completions, and files and batches whose lines run through the same script (so a batched
/// answer is the online answer; a scripted error status lands in the error file, a cut answer in the output file).
/// </summary>
public sealed partial class LoopbackTeacher : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Func<ReceivedRequest, int, LoopbackReply> _script;
    private readonly Func<int, LoopbackBatchPlan> _batchPlan;
    private int _calls;
    private int _inFlight;
    private int _maxInFlight;

    private LoopbackTeacher(WebApplication app, Func<ReceivedRequest, int, LoopbackReply> script, Func<int, LoopbackBatchPlan>? batchPlan)
    {
        _app = app;
        _script = script;
        _batchPlan = batchPlan ?? (_ => new LoopbackBatchPlan());
    }

    /// <summary>Every chat request answered, online or as a batch line.</summary>
    public ConcurrentQueue<ReceivedRequest> Received { get; } = new();

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>The most chat requests that were being handled at the same time.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public Uri BaseUrl => new(_app.Urls.First() + "/v1");

    /// <param name="script">The answer to the n-th chat request (0-based), online or batched.</param>
    /// <param name="batchPlan">How the n-th batch created (0-based) behaves; by default it completes at the first poll.</param>
    public static async Task<LoopbackTeacher> StartAsync(Func<ReceivedRequest, int, LoopbackReply> script, Func<int, LoopbackBatchPlan>? batchPlan = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var teacher = new LoopbackTeacher(app, script, batchPlan);
        app.MapPost("/v1/chat/completions", teacher.HandleAsync);

        // Azure OpenAI's route: the deployment stands in for the model.
        app.MapPost("/openai/deployments/{deployment}/chat/completions", teacher.HandleAsync);
        teacher.MapBatchApi(app);
        await app.StartAsync();
        return teacher;
    }

    private (LoopbackReply Reply, int Call) Run(JsonNode body, string? authorization, string path)
    {
        var request = new ReceivedRequest(body, authorization, DateTimeOffset.UtcNow, path);
        Received.Enqueue(request);
        var call = Interlocked.Increment(ref _calls) - 1;
        return (_script(request, call), call);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body) ?? new JsonObject();
        var (reply, call) = Run(body, context.Request.Headers.Authorization.FirstOrDefault(), context.Request.Path);
        var inFlight = Interlocked.Increment(ref _inFlight);
        int seen;
        while ((seen = Volatile.Read(ref _maxInFlight)) < inFlight && Interlocked.CompareExchange(ref _maxInFlight, inFlight, seen) != seen)
        {
        }

        try
        {
            await ReplyAsync(context, body, call, reply);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private static async Task ReplyAsync(HttpContext context, JsonNode body, int call, LoopbackReply reply)
    {
        switch (reply)
        {
            case LoopbackReply.Delayed delayed:
                await Task.Delay(delayed.Delay, context.RequestAborted);
                await ReplyAsync(context, body, call, delayed.Then);
                break;
            case LoopbackReply.After after:
                await after.Gate.WaitAsync(context.RequestAborted);
                await ReplyAsync(context, body, call, after.Then);
                break;
            case LoopbackReply.ThenSignal signal:
                await ReplyAsync(context, body, call, signal.Reply);
                await context.Response.CompleteAsync();
                signal.Sent();
                break;
            case LoopbackReply.Status status:
                context.Response.StatusCode = status.Code;
                if (status.RetryAfterSeconds is { } seconds)
                {
                    context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                await context.Response.WriteAsync(Error(status.Code).ToJsonString());
                break;
            case LoopbackReply.Hang hang:
                try
                {
                    await Task.Delay(hang.Duration, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    // The client gave up, as the test wants.
                }

                break;
            case LoopbackReply.Malformed malformed:
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(malformed.Body);
                break;
            case LoopbackReply.Answer answer:
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(Completion(body, call, answer).ToJsonString(JsonSerializerOptions.Default));
                break;
        }
    }

    private static JsonObject Error(int code) => new() { ["error"] = new JsonObject { ["message"] = $"scripted {code}", ["type"] = "scripted" } };

    private static JsonObject Completion(JsonNode body, int call, LoopbackReply.Answer answer)
    {
        var message = new JsonObject { ["role"] = "assistant", ["content"] = answer.Text };
        if (answer.ReasoningContent is not null)
        {
            message["reasoning_content"] = answer.ReasoningContent;
        }

        return new JsonObject
        {
            ["id"] = $"chatcmpl-{call}",
            ["object"] = "chat.completion",
            ["created"] = 1_700_000_000,
            ["model"] = (string?)body["model"] ?? "loopback",
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = message, ["finish_reason"] = answer.FinishReason }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 100 + call, ["completion_tokens"] = 20, ["total_tokens"] = 120 + call },
        };
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
