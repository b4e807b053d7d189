namespace PlanAct.Stages;

/// <summary>
/// Seeds for generation requests, dealt without replacement: a shuffled order dealt from the top, shuffled again and
/// dealt from the top once fewer are left than a request wants (so no request shows one twice). A request wanting more
/// than there are gets all of them. The same cards and random state give the same deals.
/// </summary>
internal sealed class ShuffledDeck<T>(IEnumerable<T> cards, Random random)
{
    private readonly T[] _cards = [.. cards];
    private int _next = int.MaxValue;

    public IReadOnlyList<T> Deal(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        count = Math.Min(count, _cards.Length);
        if (_next > _cards.Length - count)
        {
            random.Shuffle(_cards);
            _next = 0;
        }

        _next += count;
        return _cards[(_next - count).._next];
    }
}
