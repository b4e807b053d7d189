using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace PlanAct.Teacher.Ledger;

/// <summary>
/// The ledger key of a request: a SHA-256 over a canonical JSON of the model, the sampling parameters, the messages,
/// and the stage, item and attempt. Two calls that would get the same answer share a key; credentials never enter it.
/// </summary>
internal static class RequestKey
{
    /// <summary>A buffer per thread: every request is keyed, and a prompt's JSON is tens of kilobytes.</summary>
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    public static (string Key, byte[] CanonicalJson) Compute(string model, ChatOptions? options, IEnumerable<ChatMessage> messages, TeacherRequest request)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1 << 14);
        buffer.ResetWrittenCount();
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

        var bytes = buffer.WrittenSpan;
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(bytes, hash);
        var key = (Convert.ToHexStringLower(hash), bytes.ToArray());
        if (buffer.Capacity > 1 << 20)
        {
            // One huge prompt does not pin a megabyte per thread for the rest of the run.
            t_buffer = null;
        }

        return key;
    }
}
