using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace PlanAct.Loopback;

/// <summary>
/// How one batch behaves: how many polls it answers <c>in_progress</c>, then how it ends: <c>completed</c>,
/// <c>expired</c> after running its first <paramref name="LinesBeforeExpiry"/> lines, or <c>failed</c> without
/// running any. A cancel request ends it <c>cancelled</c> at the next poll, with nothing run. With
/// <paramref name="CreateReplyLost"/> the create call makes the batch and then answers 500, as when the reply is lost.
/// </summary>
public sealed record LoopbackBatchPlan(int PollsInProgress = 0, string Outcome = "completed", int LinesBeforeExpiry = 0, bool CreateReplyLost = false);

/// <summary>A batch the loopback teacher created: its input lines and where it stands.</summary>
public sealed class LoopbackBatch(string id, string inputFileId, string endpoint, IReadOnlyList<JsonNode> lines, LoopbackBatchPlan plan)
{
    internal readonly Lock Gate = new();

    public string Id { get; } = id;

    public IReadOnlyList<JsonNode> Lines { get; } = lines;

    public IReadOnlyList<string> CustomIds => [.. Lines.Select(l => (string)l["custom_id"]!)];

    public string Status { get; internal set; } = "validating";

    internal string InputFileId { get; } = inputFileId;

    internal string Endpoint { get; } = endpoint;

    internal LoopbackBatchPlan Plan { get; } = plan;

    internal int Polls { get; set; }

    internal long CreatedAt { get; } = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    internal long? EndedAt { get; set; }

    internal string? OutputFileId { get; set; }

    internal string? ErrorFileId { get; set; }

    internal (int Completed, int Failed) Counts { get; set; }
}

public sealed partial class LoopbackTeacher
{
    private readonly ConcurrentDictionary<string, (byte[] Content, string Name, string Purpose)> _files = new();
    private readonly ConcurrentQueue<LoopbackBatch> _batches = new();
    private int _ids;
    private int _lineIds;

    /// <summary>Every batch created, in order.</summary>
    public IReadOnlyList<LoopbackBatch> Batches => [.. _batches];

    private void MapBatchApi(WebApplication app)
    {
        app.MapPost("/v1/files", async context =>
        {
            var form = await context.Request.ReadFormAsync();
            var file = form.Files["file"]!;
            using var buffer = new MemoryStream();
            await file.CopyToAsync(buffer);
            await Json(context, FileObject(AddFile(buffer.ToArray(), file.FileName, form["purpose"].ToString())));
        });
        app.MapGet("/v1/files/{id}", (HttpContext context, string id) => _files.ContainsKey(id) ? Json(context, FileObject(id)) : NotFound(context));
        app.MapGet("/v1/files/{id}/content", async (HttpContext context, string id) =>
        {
            if (!_files.TryGetValue(id, out var file))
            {
                await NotFound(context);
                return;
            }

            context.Response.ContentType = "application/octet-stream";
            await context.Response.Body.WriteAsync(file.Content);
        });
        app.MapPost("/v1/batches", async context =>
        {
            var body = (await JsonNode.ParseAsync(context.Request.Body))!;
            var inputFileId = (string)body["input_file_id"]!;
            if (!_files.TryGetValue(inputFileId, out var input))
            {
                await NotFound(context);
                return;
            }

            var lines = Encoding.UTF8.GetString(input.Content).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
            var batch = new LoopbackBatch($"batch_{Interlocked.Increment(ref _ids)}", inputFileId, (string)body["endpoint"]!, lines, _batchPlan(_batches.Count));
            _batches.Enqueue(batch);
            if (batch.Plan.CreateReplyLost)
            {
                context.Response.StatusCode = 500;
                await context.Response.WriteAsJsonAsync(new { error = new { message = "the reply was lost", type = "server_error" } });
                return;
            }

            await Json(context, BatchObject(batch));
        });
        app.MapGet("/v1/batches", (HttpContext context) =>
        {
            // Newest first, paged by "after" and "limit" (default 20), as the Batch API lists them.
            var all = _batches.Reverse().ToList();
            var after = context.Request.Query["after"].ToString();
            var start = after.Length == 0 ? 0 : all.FindIndex(b => b.Id == after) + 1;
            var limit = int.TryParse(context.Request.Query["limit"], out var l) ? l : 20;
            var page = all.Skip(start).Take(limit).ToList();
            var list = new JsonObject
            {
                ["object"] = "list",
                ["data"] = new JsonArray([.. page.Select(b => (JsonNode)BatchObject(b))]),
                ["first_id"] = page.FirstOrDefault()?.Id,
                ["last_id"] = page.LastOrDefault()?.Id,
                ["has_more"] = start + page.Count < all.Count,
            };
            return Json(context, list);
        });
        app.MapGet("/v1/batches/{id}", (HttpContext context, string id) => Find(id) is { } batch ? Json(context, Advance(batch, context)) : NotFound(context));
        app.MapPost("/v1/batches/{id}/cancel", (HttpContext context, string id) =>
        {
            if (Find(id) is not { } batch)
            {
                return NotFound(context);
            }

            lock (batch.Gate)
            {
                if (batch.EndedAt is null)
                {
                    batch.Status = "cancelling";
                }

                return Json(context, BatchObject(batch));
            }
        });
    }

    private LoopbackBatch? Find(string id) => _batches.FirstOrDefault(b => b.Id == id);

    /// <summary>A poll: the batch moves on by its plan, running its lines through the chat script when it ends.</summary>
    private JsonObject Advance(LoopbackBatch batch, HttpContext context)
    {
        lock (batch.Gate)
        {
            if (batch.EndedAt is not null)
            {
                return BatchObject(batch);
            }

            if (batch.Status == "cancelling")
            {
                Finish(batch, "cancelled", [], []);
            }
            else if (++batch.Polls <= batch.Plan.PollsInProgress)
            {
                batch.Status = "in_progress";
            }
            else if (batch.Plan.Outcome == "failed")
            {
                Finish(batch, "failed", [], []);
            }
            else
            {
                var run = batch.Plan.Outcome == "expired" ? batch.Plan.LinesBeforeExpiry : batch.Lines.Count;
                var output = new List<JsonNode>();
                var errors = new List<JsonNode>();
                foreach (var line in batch.Lines.Take(run))
                {
                    var (reply, call) = Run(line["body"]!.DeepClone(), context.Request.Headers.Authorization.FirstOrDefault(), batch.Endpoint);
                    var customId = (string)line["custom_id"]!;
                    while (reply is LoopbackReply.Delayed delayed)
                    {
                        reply = delayed.Then;
                    }

                    switch (reply)
                    {
                        case LoopbackReply.Answer answer:
                            output.Add(ResultLine(customId, 200, Completion(line["body"]!, call, answer), null));
                            break;
                        case LoopbackReply.Malformed malformed:
                            output.Add(ResultLine(customId, 200, JsonValue.Create(malformed.Body), null));
                            break;
                        case LoopbackReply.Status status:
                            errors.Add(ResultLine(customId, status.Code, Error(status.Code), null));
                            break;
                        case LoopbackReply.Hang:
                            errors.Add(ResultLine(customId, null, null, ("request_timeout", "scripted hang")));
                            break;
                    }
                }

                errors.AddRange(batch.Lines.Skip(run).Select(l => ResultLine((string)l["custom_id"]!, null, null, ("batch_expired", "This request could not be executed before the completion window expired."))));
                Finish(batch, batch.Plan.Outcome == "expired" ? "expired" : "completed", output, errors);
            }

            return BatchObject(batch);
        }
    }

    private void Finish(LoopbackBatch batch, string status, List<JsonNode> output, List<JsonNode> errors)
    {
        batch.Status = status;
        batch.EndedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        batch.OutputFileId = output.Count > 0 ? AddFile(Jsonl(output), $"{batch.Id}_output.jsonl", "batch_output") : null;
        batch.ErrorFileId = errors.Count > 0 ? AddFile(Jsonl(errors), $"{batch.Id}_error.jsonl", "batch_output") : null;
        batch.Counts = (output.Count, errors.Count);
    }

    private JsonObject ResultLine(string customId, int? statusCode, JsonNode? body, (string Code, string Message)? error)
    {
        var id = Interlocked.Increment(ref _lineIds);
        return new JsonObject
        {
            ["id"] = $"batch_req_{id}",
            ["custom_id"] = customId,
            ["response"] = statusCode is { } code ? new JsonObject { ["status_code"] = code, ["request_id"] = $"req_{id}", ["body"] = body } : null,
            ["error"] = error is { } e ? new JsonObject { ["code"] = e.Code, ["message"] = e.Message } : null,
        };
    }

    private static byte[] Jsonl(List<JsonNode> lines) => Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l.ToJsonString() + "\n")));

    private string AddFile(byte[] content, string name, string purpose)
    {
        var id = $"file-{Interlocked.Increment(ref _ids)}";
        _files[id] = (content, name, purpose);
        return id;
    }

    private JsonObject FileObject(string id)
    {
        var file = _files[id];
        return new JsonObject
        {
            ["id"] = id,
            ["object"] = "file",
            ["bytes"] = file.Content.Length,
            ["created_at"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["filename"] = file.Name,
            ["purpose"] = file.Purpose,
            ["status"] = "processed",
        };
    }

    private static JsonObject BatchObject(LoopbackBatch batch) => new()
    {
        ["id"] = batch.Id,
        ["object"] = "batch",
        ["endpoint"] = batch.Endpoint,
        ["errors"] = batch.Status == "failed"
            ? new JsonObject { ["object"] = "list", ["data"] = new JsonArray(new JsonObject { ["code"] = "invalid_request", ["message"] = "scripted batch failure", ["line"] = 1 }) }
            : null,
        ["input_file_id"] = batch.InputFileId,
        ["completion_window"] = "24h",
        ["status"] = batch.Status,
        ["output_file_id"] = batch.OutputFileId,
        ["error_file_id"] = batch.ErrorFileId,
        ["created_at"] = batch.CreatedAt,
        ["expires_at"] = batch.CreatedAt + 86_400,
        [batch.Status switch { "completed" => "completed_at", "expired" => "expired_at", "failed" => "failed_at", _ => "cancelled_at" }] = batch.EndedAt,
        ["request_counts"] = new JsonObject { ["total"] = batch.Lines.Count, ["completed"] = batch.Counts.Completed, ["failed"] = batch.Counts.Failed },
        ["metadata"] = null,
    };

    private static Task Json(HttpContext context, JsonObject json)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json.ToJsonString());
    }

    private static Task NotFound(HttpContext context)
    {
        context.Response.StatusCode = 404;
        return Json(context, new JsonObject { ["error"] = new JsonObject { ["message"] = "no such object", ["type"] = "invalid_request_error" } });
    }
}
