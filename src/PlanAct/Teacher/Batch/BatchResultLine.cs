using System.ClientModel.Primitives;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI.Chat;

namespace PlanAct.Teacher.Batch;

/// <summary>
/// One line of a batch's output or error file, judged: a usable answer, or the reason there is none (an error, a
/// status other than 200, a body that is not a chat completion, an answer cut by length or filtered).
/// </summary>
internal sealed record BatchResultLine(string Key, ChatResponse? Answer, string? Error)
{
    /// <summary>The judged line, or null when it cannot even be matched to a request.</summary>
    public static BatchResultLine? Read(string line)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(line);
        }
        catch (JsonException)
        {
            return null;
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("custom_id", out var id) || id.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            var key = id.GetString()!;
            if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                return new BatchResultLine(key, null, $"{Text(error, "code") ?? "error"}: {Text(error, "message")}");
            }

            if (!root.TryGetProperty("response", out var response) || response.ValueKind != JsonValueKind.Object)
            {
                return new BatchResultLine(key, null, "no response");
            }

            var status = response.TryGetProperty("status_code", out var code) && code.ValueKind == JsonValueKind.Number ? code.GetInt32() : 0;
            response.TryGetProperty("body", out var body);
            if (status != 200)
            {
                var message = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("error", out var bodyError) && bodyError.ValueKind == JsonValueKind.Object
                    ? $": {Text(bodyError, "message")}"
                    : "";
                return new BatchResultLine(key, null, $"HTTP {status}{message}");
            }

            var answer = Completion(body);
            return answer is null ? new BatchResultLine(key, null, "the answer is not a chat completion")
                : TeacherAnswer.Unusable(answer) is { } unusable ? new BatchResultLine(key, null, unusable)
                : new BatchResultLine(key, answer, null);
        }
    }

    /// <summary>
    /// The body read by the SDK and mapped as the online chat client maps it, so one reading serves both paths. A body
    /// without choices makes the SDK's accessors throw: that is a malformed answer too.
    /// </summary>
    private static ChatResponse? Completion(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        try
        {
            var completion = ModelReaderWriter.Read<ChatCompletion>(BinaryData.FromString(body.GetRawText()), ModelReaderWriterOptions.Json);
            return completion?.AsChatResponse();
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException or ArgumentException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
