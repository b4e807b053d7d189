using System.Runtime.CompilerServices;
using System.Text.Json;
using PlanAct.IO;

namespace PlanAct.Stages;

/// <summary>
/// Joins the outputs of a stage's shards (<c>--shard i/n</c>) into one file in input order. Each shard's output is
/// already in input order, so the join is a streaming k-way merge: memory holds one line per shard and the input's ids.
/// A record belongs to the input item named by its <c>source.trajectory</c> (examples) or else its <c>id</c> (plans);
/// examples of one trajectory go in step order (<c>source.step</c>), whichever shard each came from.
/// </summary>
internal static class ShardMerge
{
    public static async Task<int> MergeAsync(
        IReadOnlyList<string> shards, IReadOnlyDictionary<string, int> inputOrder, string outPath, CancellationToken cancellationToken = default)
    {
        var heads = new List<IAsyncEnumerator<Record>>();
        try
        {
            foreach (var path in shards)
            {
                var head = Records(path, inputOrder, cancellationToken).GetAsyncEnumerator(cancellationToken);
                if (await head.MoveNextAsync())
                {
                    heads.Add(head);
                }
                else
                {
                    await head.DisposeAsync();
                }
            }

            return await JsonlFile.WriteAsync(outPath, MergedAsync(heads), line => line, cancellationToken);
        }
        finally
        {
            foreach (var head in heads)
            {
                await head.DisposeAsync();
            }
        }
    }

    private static async IAsyncEnumerable<string> MergedAsync(List<IAsyncEnumerator<Record>> heads)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        while (heads.Count > 0)
        {
            // The earliest input position first; on a tie the earlier shard (records of one item stay together).
            var next = heads.MinBy(h => h.Current.Position)!;
            var record = next.Current;
            if (!ids.Add(record.Id))
            {
                throw new InputException(record.Location, $"record \"{record.Id}\" is in more than one shard");
            }

            yield return record.Text;
            if (!await next.MoveNextAsync())
            {
                await next.DisposeAsync();
                heads.Remove(next);
            }
        }
    }

    private static async IAsyncEnumerable<Record> Records(string path, IReadOnlyDictionary<string, int> inputOrder, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var last = (-1, -1);
        await foreach (var (line, text) in JsonlFile.ReadLinesAsync(path, cancellationToken: cancellationToken))
        {
            var location = new SourceLocation(path, line);
            var (id, item, step) = Identify(text, location);
            if (!inputOrder.TryGetValue(item, out var position))
            {
                throw new InputException(location, $"record \"{id}\" is for \"{item}\", which is not in the input: merge shards of the input they were made from");
            }

            var key = (position, step);
            if (key.CompareTo(last) < 0)
            {
                throw new InputException(location, $"record \"{id}\" is out of input order: merge the finished outputs of shard runs");
            }

            last = key;
            yield return new Record(id, key, text, location);
        }
    }

    private static (string Id, string Item, int Step) Identify(string text, SourceLocation location)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            var id = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("id", out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()!
                : throw new InputException(location, "a record needs an \"id\"");
            var source = root.TryGetProperty("source", out var found) && found.ValueKind == JsonValueKind.Object ? found : default;
            var item = source.ValueKind == JsonValueKind.Object && source.TryGetProperty("trajectory", out var trajectory) && trajectory.ValueKind == JsonValueKind.String
                ? trajectory.GetString()!
                : id;
            var step = source.ValueKind == JsonValueKind.Object && source.TryGetProperty("step", out var index) && index.TryGetInt32(out var number) ? number : -1;
            return (id, item, step);
        }
        catch (JsonException e)
        {
            throw new InputException(location, "malformed JSON", e);
        }
    }

    private sealed record Record(string Id, (int Item, int Step) Position, string Text, SourceLocation Location);
}
