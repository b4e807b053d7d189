using System.Collections;
using System.Runtime.CompilerServices;

namespace PlanAct.IO;

/// <summary>
/// An immutable list with value equality, so records that hold lists compare by content
/// (parse(print(x)) == x is checked with plain <c>==</c>). Collection expressions (<c>[a, b]</c>) build one.
/// </summary>
[CollectionBuilder(typeof(EquatableList), nameof(EquatableList.Create))]
public sealed class EquatableList<T> : IReadOnlyList<T>, IEquatable<EquatableList<T>>
{
    private readonly T[] _items;

    /// <summary>A list of <paramref name="items"/>, copied.</summary>
    public EquatableList(IEnumerable<T> items) => _items = [.. items];

    /// <summary>The empty list.</summary>
    public static EquatableList<T> Empty { get; } = new([]);

    /// <inheritdoc/>
    public int Count => _items.Length;

    /// <inheritdoc/>
    public T this[int index] => _items[index];

    /// <inheritdoc/>
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    /// <summary>Equal when both hold equal items in the same order.</summary>
    public bool Equals(EquatableList<T>? other) =>
        other is not null && _items.AsSpan().SequenceEqual(other._items, EqualityComparer<T>.Default);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as EquatableList<T>);

    /// <summary>A hash of the items in order, consistent with <see cref="Equals(EquatableList{T}?)"/>.</summary>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in _items)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }

    /// <summary>The items, comma-separated in brackets.</summary>
    public override string ToString() => $"[{string.Join(", ", _items)}]";
}

/// <summary>Builds <see cref="EquatableList{T}"/>s.</summary>
public static class EquatableList
{
    /// <summary>A list of <paramref name="items"/>, copied.</summary>
    public static EquatableList<T> ToEquatableList<T>(this IEnumerable<T> items) => new(items);

    /// <summary>A list of the given items.</summary>
    public static EquatableList<T> Of<T>(params T[] items) => new(items);

    /// <summary>What a collection expression calls.</summary>
    public static EquatableList<T> Create<T>(ReadOnlySpan<T> items) => new(items.ToArray());
}
