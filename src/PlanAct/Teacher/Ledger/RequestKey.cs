using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace PlanAct.Teacher.Ledger;

/// <summary>
/// The ledger key of a request: a SHA-256 over a canonical JSON of the model, the sampling parameters, the messages,
/// and the stage, item and attempt. Two calls that would get the same answer share a key; credentials never enter it.
/// </summary>
public static class RequestKey
{
    public static (string Key, string CanonicalJson) Compute(string model, ChatOptions? options, IEnumerable<ChatMessage> messages, TeacherRequest request)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model", model);
            json.WriteString("stage", request.Stage);
            json.WriteString("item", request.Item);
            json.WriteNumber("attempt", request.Attempt);
            json.WriteStartObject("parameters");
            WriteIfSet(json, "temperature", options?.Temperature);
            WriteIfSet(json, "top_p", options?.TopP);
            WriteIfSet(json, "max_output_tokens", options?.MaxOutputTokens);
            WriteIfSet(json, "seed", options?.Seed);
            WriteIfSet(json, "frequency_penalty", options?.FrequencyPenalty);
            WriteIfSet(json, "presence_penalty", options?.PresencePenalty);
            if (options?.ResponseFormat is { } format)
            {
                json.WriteString("response_format", format is ChatResponseFormatJson ? "json" : "text");
            }

            if (options?.StopSequences is { Count: > 0 } stops)
            {
                json.WriteStartArray("stop");
                foreach (var stop in stops)
                {
                    json.WriteStringValue(stop);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
            json.WriteStartArray("messages");
            foreach (var message in messages)
            {
                json.WriteStartObject();
                json.WriteString("role", message.Role.Value);
                json.WriteString("content", message.Text);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        var bytes = buffer.ToArray();
        return (Convert.ToHexStringLower(SHA256.HashData(bytes)), Encoding.UTF8.GetString(bytes));
    }

    private static void WriteIfSet(Utf8JsonWriter json, string name, float? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
    }

    private static void WriteIfSet(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
    }
}
