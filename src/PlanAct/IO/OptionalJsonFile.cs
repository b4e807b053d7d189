using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace PlanAct.IO;

/// <summary>
/// JSON files a run only benefits from (statistics, stamps, caches, reports): one that is missing, cannot be read or is
/// not JSON of its type counts as absent, and the work it would have saved or summed up is done or left out instead.
/// </summary>
internal static class OptionalJsonFile
{
    public static T? TryRead<T>(string path, JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllText(path), type) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }
}
