using System.Text.Json;
using System.Text.Json.Serialization;
using PlanAct.IO;

namespace PlanAct.Stages;

/// <summary>The quarantine file of a stage output: every item the teacher never answered validly, with why and every attempt.</summary>
internal static class QuarantineFile
{
    /// <summary>The quarantine file beside an output: <c>plans.jsonl</c> → <c>plans.quarantine.jsonl</c>.</summary>
    public static string PathBeside(string outPath) => OutputPaths.Beside(outPath, "quarantine.jsonl");

    /// <summary>Reads one line of a quarantine file.</summary>
    /// <exception cref="InputException">The line is not a quarantine record.</exception>
    public static QuarantineRecord Parse(string text, SourceLocation location)
    {
        // A strict log throws at the first problem, so a record comes back.
        var record = JsonlFile.Deserialize(text, QuarantineJsonContext.Relaxed.QuarantineRecord, location, new ProblemLog())!;

        return record switch
        {
            { Id: var id } when string.IsNullOrWhiteSpace(id) => throw new InputException(location, "a quarantine record needs \"id\""),
            { Reason: null } or { Stage: null } => throw new InputException(location, "a quarantine record needs \"stage\" and \"reason\""),
            _ => record with { Attempts = record.Attempts ?? [] },
        };
    }

    /// <summary>Writes the records whole (or removes a stale file when there are none).</summary>
    public static async Task WriteAsync(string path, IReadOnlyList<QuarantineRecord> records, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
        {
            File.Delete(path);
            return;
        }

        await AtomicFile.WriteTextAsync(path, async writer =>
        {
            foreach (var record in records)
            {
                await writer.WriteLineAsync(JsonSerializer.Serialize(record, QuarantineJsonContext.Relaxed.QuarantineRecord).AsMemory(), cancellationToken);
            }
        }, cancellationToken);
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(QuarantineRecord))]
internal sealed partial class QuarantineJsonContext : JsonSerializerContext
{
    public static QuarantineJsonContext Relaxed { get; } = new(new JsonSerializerOptions(JsonlFile.RelaxedWriteOptions()) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
}
