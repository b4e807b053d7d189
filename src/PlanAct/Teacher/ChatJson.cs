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
