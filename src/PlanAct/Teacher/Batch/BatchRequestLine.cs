using System.Buffers;
using System.ClientModel.Primitives;
using System.Text.Encodings.Web;
using System.Text.Json;
using OpenAI.Chat;

namespace PlanAct.Teacher.Batch;

/// <summary>
/// One line of a Batch API input file: <c>{"custom_id": key, "method": "POST", "url": endpoint, "body": {…}}</c>.
/// The body carries what the ledger key hashes (model, messages as role and text, sampling parameters), named as the
/// OpenAI SDK names them online, so one key always stands for one body and a batched answer is the online answer.
/// </summary>
internal static class BatchRequestLine
{
    /// <summary>Pages are HTML: keep <c>&lt;</c> readable instead of six bytes each against the file size limit.</summary>
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The line as UTF-8, ending with a newline.</summary>
    public static byte[] Serialize(PendingRequest request, string endpoint)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("custom_id", request.Key);
            json.WriteString("method", "POST");
            json.WriteString("url", endpoint);
            json.WritePropertyName("body");
            WriteBody(json, request);
            json.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteBody(Utf8JsonWriter json, PendingRequest request)
    {
        var options = request.Options;
        json.WriteStartObject();
        json.WriteString("model", request.Model);
        json.WriteMessages(request.Messages);
        json.WriteSampling(options, "max_completion_tokens");
        json.WriteIfAny("stop", options?.StopSequences);

        // The SDK's own mapping, so a JSON schema is sent exactly as the online path sends it.
        if (options?.ResponseFormat is { } format && format.AsOpenAIChatResponseFormat(options) is { } openAIFormat)
        {
            json.WritePropertyName("response_format");
            json.WriteRawValue(ModelReaderWriter.Write(openAIFormat, ModelReaderWriterOptions.Json).ToMemory().Span);
        }

        json.WriteEndObject();
    }
}
