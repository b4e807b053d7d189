using System.Text.Json;

namespace PlanAct.IO;

/// <summary>System.Text.Json's errors in the user's words: what is wrong and where in the value, never a .NET type name.</summary>
internal static class JsonErrors
{
    /// <summary>Why a JSON text could not be read (its file and line are said by the location that carries it).</summary>
    public static string Reason(JsonException e)
    {
        if (e.InnerException is InvalidOperationException && e.InnerException.Message.Contains("UTF-8", StringComparison.Ordinal))
        {
            return $"invalid UTF-8 in a string{At(e.Path)}";
        }

        // Thrown when a value has another JSON type than the field expects; its message names the .NET type.
        if (e.Message.StartsWith("The JSON value could not be converted to", StringComparison.Ordinal))
        {
            return IsWhole(e.Path) ? "expected a JSON object" : $"a value of the wrong type{At(e.Path)}";
        }

        if (e.Message.StartsWith("Expected depth to be zero at the end of the JSON payload", StringComparison.Ordinal))
        {
            return "malformed JSON: the text ends inside an object or array that is not closed (a JSONL file holds one whole JSON object per line)";
        }

        var end = e.Message.IndexOf(" Path:", StringComparison.Ordinal);
        return $"malformed JSON: {(end > 0 ? e.Message[..end] : e.Message)}";
    }

    /// <summary>Whether the path is the whole value read: the line, or one element of the array being streamed.</summary>
    private static bool IsWhole(string? path) =>
        path is null or "$" || (path.StartsWith("$[", StringComparison.Ordinal) && path.EndsWith(']') && path.IndexOf(']', StringComparison.Ordinal) == path.Length - 1);

    private static string At(string? path) => path is null or "$" ? "" : $" at {path.TrimStart('$').TrimStart('.')}";
}
