using System.Text.Json;

namespace PlanAct.Teacher;

/// <summary>Optional request fields written only when set: the ledger key and the batch body leave out the same things.</summary>
internal static class ChatJson
{
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
