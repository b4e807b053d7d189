using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace PlanAct.Teacher.Ledger;

/// <summary>
/// The ledger key of a request: a SHA-256 over a canonical JSON of the model, the sampling parameters, the messages,
/// and the stage, item and attempt. Two calls that would get the same answer share a key; credentials never enter it.
/// </summary>
internal static class RequestKey
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
            json.WriteSampling(options, "max_output_tokens");
            if (options?.ResponseFormat is { } format)
            {
                json.WriteString("response_format", format is ChatResponseFormatJson ? "json" : "text");
            }

            json.WriteIfAny("stop", options?.StopSequences);

            json.WriteEndObject();
            json.WriteMessages(messages);
            json.WriteEndObject();
        }

        var bytes = buffer.ToArray();
        return (Convert.ToHexStringLower(SHA256.HashData(bytes)), Encoding.UTF8.GetString(bytes));
    }
}
