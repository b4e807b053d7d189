using System.Text.Json;
using System.Text.Json.Serialization;
using PlanAct.IO;

namespace PlanAct.Stages;

/// <summary>The errors of the answers rejected on the way to one item's record: a line of the rejection journal.</summary>
internal sealed record RejectedAnswers(string Id, IReadOnlyList<string> Reasons);

/// <summary>
/// <c>&lt;out-name&gt;.rejections.jsonl</c> beside a stage output: one line per item whose record needed re-asks, appended
/// (and handed to the operating system) just before the record itself. A resumed run does not ask again for what its
/// output holds, so the rejections of those items are counted from here, and a run killed at any instant and resumed
/// counts what an uninterrupted run counts. Only items with rejections write a line, so the hot path is untouched.
/// </summary>
internal sealed class RejectionJournal : IAsyncDisposable
{
    /// <summary>Opened at the first line to write, so a run without rejections leaves no file.</summary>
    private readonly Lazy<Task<ResumableJsonl>> _file;

    private RejectionJournal(string path, IReadOnlyDictionary<string, int> earlier)
    {
        _file = new(() => ResumableJsonl.OpenAsync(path, Read, CancellationToken.None));
        Earlier = earlier;
    }

    /// <summary>The rejections of the items finished before this run, by folded reason.</summary>
    public IReadOnlyDictionary<string, int> Earlier { get; }

    /// <summary><c>plans.jsonl</c> → <c>plans.rejections.jsonl</c>.</summary>
    public static string PathBeside(string outPath) => OutputPaths.Beside(outPath, "rejections.jsonl");

    /// <summary>
    /// Opens the journal of an output, keeping the lines of <paramref name="finished"/> (the items whose records the
    /// output holds). The others are dropped: the process died between an item's line and its record (the item is done
    /// again and writes a new line), the item left the input, or the line was torn.
    /// </summary>
    public static async Task<RejectionJournal> OpenAsync(string outPath, IEnumerable<string> finished, CancellationToken cancellationToken)
    {
        var path = PathBeside(outPath);
        var keep = finished.ToHashSet(StringComparer.Ordinal);
        var kept = new List<string>();
        var earlier = new ReasonCounts();
        var dropped = false;
        if (File.Exists(path))
        {
            await foreach (var (_, text) in JsonlFile.ReadLinesAsync(path, cancellationToken: cancellationToken))
            {
                if (Parse(text) is { Reasons: not null } line && keep.Remove(line.Id))
                {
                    kept.Add(text);
                    foreach (var reason in line.Reasons)
                    {
                        earlier.Add(reason);
                    }
                }
                else
                {
                    dropped = true;
                }
            }
        }

        if (dropped)
        {
            await JsonlFile.WriteAsync(path, kept.ToAsyncEnumerable(), line => line, cancellationToken);
        }

        return new RejectionJournal(path, earlier.Snapshot());
    }

    /// <summary>Records an item's rejections; call it before appending the item's record.</summary>
    public async Task AppendAsync(string id, IEnumerable<string> reasons, CancellationToken cancellationToken)
    {
        var file = await _file.Value;
        await file.AppendAsync(id, JsonSerializer.Serialize(new RejectedAnswers(id, [.. reasons]), RejectionJournalJsonContext.Relaxed.RejectedAnswers), cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_file.IsValueCreated)
        {
            await (await _file.Value).DisposeAsync();
        }
    }

    private static string Read(string text, SourceLocation location) =>
        Parse(text) is { Id: { } id, Reasons: not null } ? id : throw new InputException(location, "not a line of a rejection journal (id, reasons)");

    /// <summary>A journal line, or null when it is torn or not one.</summary>
    internal static RejectedAnswers? Parse(string text)
    {
        try
        {
            return JsonSerializer.Deserialize(text, RejectionJournalJsonContext.Relaxed.RejectedAnswers);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(RejectedAnswers))]
internal sealed partial class RejectionJournalJsonContext : JsonSerializerContext
{
    public static RejectionJournalJsonContext Relaxed { get; } = new(new JsonSerializerOptions(JsonlFile.RelaxedWriteOptions()) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
}
