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

    /// <summary>Another reply, given after a delay (a slow model).</summary>
    public sealed record Delayed(TimeSpan Delay, LoopbackReply Then) : LoopbackReply;
}

/// <summary>A request the loopback teacher received.</summary>
public sealed record ReceivedRequest(JsonNode Body, string? Authorization, DateTimeOffset At)
{
    public string LastUserMessage => Body["messages"]!.AsArray().Last(m => (string?)m!["role"] == "user")!["content"]!.ToString();
}

/// <summary>
/// An OpenAI-compatible chat-completions server on 127.0.0.1 with scripted answers and faults, for driving the real
/// OpenAI SDK over HTTP in tests.
/// </summary>
public sealed class LoopbackTeacher : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Func<ReceivedRequest, int, LoopbackReply> _script;
    private int _calls;
    private int _inFlight;
    private int _maxInFlight;

    private LoopbackTeacher(WebApplication app, Func<ReceivedRequest, int, LoopbackReply> script)
    {
        _app = app;
        _script = script;
    }

    public ConcurrentQueue<ReceivedRequest> Received { get; } = new();

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>The most chat requests that were being handled at the same time.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public Uri BaseUrl => new(_app.Urls.First() + "/v1");

    public static async Task<LoopbackTeacher> StartAsync(Func<ReceivedRequest, int, LoopbackReply> script)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var teacher = new LoopbackTeacher(app, script);
        app.MapPost("/v1/chat/completions", teacher.HandleAsync);

        // Azure OpenAI's route: the deployment stands in for the model.
        app.MapPost("/openai/deployments/{deployment}/chat/completions", teacher.HandleAsync);
        await app.StartAsync();
        return teacher;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body) ?? new JsonObject();
        var request = new ReceivedRequest(body, context.Request.Headers.Authorization.FirstOrDefault(), DateTimeOffset.UtcNow);
        Received.Enqueue(request);
        var call = Interlocked.Increment(ref _calls) - 1;
        var inFlight = Interlocked.Increment(ref _inFlight);
        int seen;
        while ((seen = Volatile.Read(ref _maxInFlight)) < inFlight && Interlocked.CompareExchange(ref _maxInFlight, inFlight, seen) != seen)
        {
        }

        try
        {
            await ReplyAsync(context, body, call, _script(request, call));
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
            case LoopbackReply.Status status:
                context.Response.StatusCode = status.Code;
                if (status.RetryAfterSeconds is { } seconds)
                {
                    context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                await context.Response.WriteAsJsonAsync(new { error = new { message = $"scripted {status.Code}", type = "scripted" } });
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
                var message = new JsonObject { ["role"] = "assistant", ["content"] = answer.Text };
                if (answer.ReasoningContent is not null)
                {
                    message["reasoning_content"] = answer.ReasoningContent;
                }

                var completion = new JsonObject
                {
                    ["id"] = $"chatcmpl-{call}",
                    ["object"] = "chat.completion",
                    ["created"] = 1_700_000_000,
                    ["model"] = (string?)body["model"] ?? "loopback",
                    ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = message, ["finish_reason"] = answer.FinishReason }),
                    ["usage"] = new JsonObject { ["prompt_tokens"] = 100 + call, ["completion_tokens"] = 20, ["total_tokens"] = 120 + call },
                };
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(completion.ToJsonString(JsonSerializerOptions.Default));
                break;
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
