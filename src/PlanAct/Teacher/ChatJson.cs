using System.Text.Json;
using Microsoft.Extensions.AI;

namespace PlanAct.Teacher;

/// <summary>Request fields as the ledger key and the batch body both write them: messages as role and text, optional fields only when set.</summary>
internal static class ChatJson
{
    public static void WriteMessages(this Utf8JsonWriter json, IEnumerable<ChatMessage> messages)
    {
        json.WriteStartArray("messages");
        foreach (var message in messages)
        {
            json.WriteStartObject();
            json.WriteString("role", message.Role.Value);
            json.WriteString("content", message.Text);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>The sampling settings that change an answer, each only when set; the output limit under <paramref name="maxTokensName"/>.</summary>
    public static void WriteSampling(this Utf8JsonWriter json, ChatOptions? options, string maxTokensName)
    {
        json.WriteIfSet("temperature", options?.Temperature);
        json.WriteIfSet("top_p", options?.TopP);
        json.WriteIfSet(maxTokensName, options?.MaxOutputTokens);
        json.WriteIfSet("seed", options?.Seed);
        json.WriteIfSet("frequency_penalty", options?.FrequencyPenalty);
        json.WriteIfSet("presence_penalty", options?.PresencePenalty);
    }

    public static void WriteIfSet(this Utf8JsonWriter json, string name, float? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
    }

    public static void WriteIfSet(this Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
    }

    public static void WriteIfAny(this Utf8JsonWriter json, string name, IList<string>? values)
    {
        if (values is { Count: > 0 })
        {
            json.WriteStartArray(name);
            foreach (var value in values)
            {
                json.WriteStringValue(value);
            }

            json.WriteEndArray();
        }
    }
}
