using System.Globalization;
using System.Text;

namespace PlanAct.Stages;

/// <summary>
/// One of <see cref="Count"/> disjoint parts of a stage's items (<c>--shard i/n</c>, i from 1): an item belongs to
/// the shard its id hashes to, so every machine given the same input and n agrees without talking to the others.
/// </summary>
internal sealed record Shard
{
    public Shard(int index, int count)
    {
        if (count < 1 || index < 1 || index > count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"shard {index}/{count}: need 1 <= i <= n");
        }

        Index = index;
        Count = count;
    }

    /// <summary>1-based.</summary>
    public int Index { get; }

    public int Count { get; }

    /// <summary>Reads <c>i/n</c>; null when the text is not of that form or out of range.</summary>
    public static Shard? TryParse(string text)
    {
        var parts = text.Split('/');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            && count >= 1 && index >= 1 && index <= count
            ? new Shard(index, count)
            : null;
    }

    public bool Contains(string id) => (int)(StableHash(id) % (ulong)Count) == Index - 1;

    /// <summary>FNV-1a over the UTF-8 bytes: the same on every machine and runtime (string.GetHashCode is not).</summary>
    public static ulong StableHash(string id)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(id))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");
}
