using System.Text.Json;

namespace PlanAct.Teacher.Batch;

/// <summary>
/// What the provider says about a batch, read from its JSON (the SDK's typed <c>BatchJob</c> has no status or
/// request counts).
/// </summary>
internal sealed record BatchState(
    string Id,
    string Status,
    string InputFileId,
    string? OutputFileId,
    string? ErrorFileId,
    DateTimeOffset CreatedAt,
    DateTimeOffset? EndedAt,
    int Total,
    int Completed,
    int Failed,
    string? Errors)
{
    public bool IsFinished => Status is "completed" or "failed" or "expired" or "cancelled";

    /// <summary>Why a request of this batch has no line in either result file.</summary>
    public string MissingReason => Status switch
    {
        "expired" => "the batch expired before this request ran",
        "cancelled" => "the batch was cancelled before this request ran",
        "failed" => $"the batch failed{(Errors is null ? "" : $": {Errors}")}",
        _ => $"the batch ended {Status} without a result for this request",
    };

    public static BatchState Read(BinaryData json)
    {
        using var doc = JsonDocument.Parse(json);
        return Read(doc.RootElement);
    }

    public static BatchState Read(JsonElement root)
    {
        var counts = root.TryGetProperty("request_counts", out var c) && c.ValueKind == JsonValueKind.Object ? c : default;
        return new BatchState(
            root.GetProperty("id").GetString()!,
            root.GetProperty("status").GetString()!,
            String(root, "input_file_id") ?? "",
            String(root, "output_file_id"),
            String(root, "error_file_id"),
            Time(root, "created_at") ?? DateTimeOffset.UtcNow,
            Time(root, "completed_at") ?? Time(root, "expired_at") ?? Time(root, "failed_at") ?? Time(root, "cancelled_at"),
            Count(counts, "total"),
            Count(counts, "completed"),
            Count(counts, "failed"),
            ErrorMessages(root));
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? Time(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? DateTimeOffset.FromUnixTimeSeconds(value.GetInt64()) : null;

    private static int Count(JsonElement counts, string name) =>
        counts.ValueKind == JsonValueKind.Object && counts.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : 0;

    private static string? ErrorMessages(JsonElement root)
    {
        if (!root.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Object
            || !errors.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var messages = data.EnumerateArray()
            .Select(e => $"{String(e, "code")}: {String(e, "message")}{(e.TryGetProperty("line", out var line) && line.ValueKind == JsonValueKind.Number ? $" (line {line.GetInt32()})" : "")}")
            .ToList();
        return messages.Count == 0 ? null : string.Join("; ", messages);
    }
}
