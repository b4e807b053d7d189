using System.Text.Json;
using System.Text.Json.Serialization;
using PlanAct.IO;

namespace PlanAct.Pipeline.Nodes;

/// <summary>
/// What a piece of pipeline work that finished cleanly leaves beside its output (<c>&lt;out-name&gt;.stamp.json</c>):
/// the fingerprint of everything it was made of (inputs, option files, settings, this build of the program) and of the
/// outputs it wrote, with what it said and counted. A later run whose fingerprint over the same outputs is equal has
/// nothing to redo, so it reads no input and builds no request: the work is up to date. Only work that ended done with
/// no item left out and no invalid input is stamped, so a run with something to report or retry always runs again.
/// </summary>
internal sealed record NodeStamp(string Fingerprint, IReadOnlyList<NodeOutput> Outputs, string Summary, string? Stats, IReadOnlyDictionary<string, int>? Counts = null)
{
    public static string PathBeside(string output) => OutputPaths.Beside(output, "stamp.json");

    /// <summary>
    /// The stamp at <paramref name="stampPath"/> when it still holds: the outputs it names are as it wrote them and
    /// <paramref name="fingerprint"/> (of the work, given the outputs) is unchanged.
    /// </summary>
    public static async Task<NodeStamp?> HoldingAsync(string stampPath, Func<IReadOnlyList<string>, Task<string>> fingerprint)
    {
        var stamp = OptionalJsonFile.TryRead(stampPath, NodeStampJsonContext.Default.NodeStamp);
        return stamp is not null && stamp.Outputs.All(o => Path.Exists(o.Path)) && stamp.Fingerprint == await fingerprint([.. stamp.Outputs.Select(o => o.Path)])
            ? stamp
            : null;
    }

    /// <summary>Stamps work that ended cleanly (<paramref name="clean"/>); otherwise removes an earlier stamp, so the next run does the work again.</summary>
    public static async Task RecordAsync(
        string stampPath, bool clean, IReadOnlyList<NodeOutput> outputs, string summary, string? stats, IReadOnlyDictionary<string, int>? counts,
        Func<IReadOnlyList<string>, Task<string>> fingerprint, CancellationToken cancellationToken)
    {
        if (!clean)
        {
            File.Delete(stampPath);
            return;
        }

        var stamp = new NodeStamp(await fingerprint([.. outputs.Select(o => o.Path)]), outputs, summary, stats, counts);
        await AtomicFile.WriteAllTextAsync(stampPath, JsonSerializer.Serialize(stamp, NodeStampJsonContext.Default.NodeStamp), cancellationToken);
    }

    /// <summary>The result a node that is up to date gives: done, with what the stamped run wrote and said.</summary>
    public NodeResult UpToDate(string stage) => new(stage, NodeStatus.Done, Outputs, $"up to date: {Summary}") { Stats = Stats };
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(NodeStamp))]
internal sealed partial class NodeStampJsonContext : JsonSerializerContext;
