using System.Text.Json;
using System.Text.Json.Serialization;
using PlanAct.IO;

namespace PlanAct.Pipeline.Nodes;

/// <summary>
/// What a pipeline node that finished cleanly leaves beside its output (<c>&lt;out-name&gt;.stamp.json</c>): the
/// fingerprint of everything its work was made of (inputs, option files, settings, this build of the program) and of
/// the outputs it wrote, with what it said. A later run whose fingerprint over the same outputs is equal has nothing
/// to redo, so it reads no input and builds no request: the node is up to date. Only a node that ended done with no
/// item left out and no invalid input is stamped, so a run with something to report or retry always runs again.
/// </summary>
internal sealed record NodeStamp(string Fingerprint, IReadOnlyList<NodeOutput> Outputs, string Summary, string? Stats)
{
    public static string PathBeside(string output) => OutputPaths.Beside(output, "stamp.json");

    /// <summary>
    /// The result of an earlier run when its stamp at <paramref name="stampPath"/> still holds: the outputs it names
    /// are as it wrote them and <paramref name="fingerprint"/> (of the work, given the outputs) is unchanged.
    /// </summary>
    public static async Task<NodeResult?> UpToDateAsync(string stage, string stampPath, Func<IReadOnlyList<string>, Task<string>> fingerprint)
    {
        if (TryRead(stampPath) is not { } stamp || !stamp.Outputs.All(o => Path.Exists(o.Path)) || stamp.Fingerprint != await fingerprint([.. stamp.Outputs.Select(o => o.Path)]))
        {
            return null;
        }

        return new NodeResult(stage, NodeStatus.Done, stamp.Outputs, $"up to date: {stamp.Summary}") { Stats = stamp.Stats };
    }

    /// <summary>Stamps <paramref name="result"/> when it ended cleanly; otherwise removes an earlier stamp, so the next run does the work again.</summary>
    public static async Task RecordAsync(string stampPath, NodeResult result, bool inputValid, Func<IReadOnlyList<string>, Task<string>> fingerprint, CancellationToken cancellationToken)
    {
        if (result.Status != NodeStatus.Done || result.Problems > 0 || !inputValid)
        {
            File.Delete(stampPath);
            return;
        }

        var stamp = new NodeStamp(await fingerprint([.. result.Outputs.Select(o => o.Path)]), result.Outputs, TeacherNodeResult.Resumed(result) ?? result.Summary, result.Stats);
        await AtomicFile.WriteAllTextAsync(stampPath, JsonSerializer.Serialize(stamp, NodeStampJsonContext.Default.NodeStamp), cancellationToken);
    }

    private static NodeStamp? TryRead(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllText(path), NodeStampJsonContext.Default.NodeStamp) : null;
        }
        catch (JsonException)
        {
            // A stamp only saves work: one that cannot be read means doing the work.
            return null;
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(NodeStamp))]
internal sealed partial class NodeStampJsonContext : JsonSerializerContext;
