using Microsoft.ML.Tokenizers;

namespace PlanAct.Text;

/// <summary>Counts tokens offline with the tiktoken encodings shipped in NuGet data packages.</summary>
public sealed class TokenCounter
{
    private static readonly Lazy<TokenCounter> O200kInstance = new(() => new TokenCounter("o200k_base"));
    private static readonly Lazy<TokenCounter> Cl100kInstance = new(() => new TokenCounter("cl100k_base"));

    // Loaded on the first count (a third of a second): a command that counts nothing, or only prints its help, never waits for it.
    private readonly Lazy<Tokenizer> _tokenizer;

    private TokenCounter(string encoding)
    {
        Encoding = encoding;
        _tokenizer = new(() => TiktokenTokenizer.CreateForEncoding(encoding));
    }

    /// <summary>The encoding of GPT-4o, GPT-4.1, o-series and GPT-5 models.</summary>
    public static TokenCounter O200k => O200kInstance.Value;

    /// <summary>The encoding of GPT-4 and GPT-3.5 models.</summary>
    public static TokenCounter Cl100k => Cl100kInstance.Value;

    /// <summary>
    /// Starts loading the encoding on the thread pool, so work that is sure to count soon does not wait for it (a
    /// failure to load is seen by the first count, as without this).
    /// </summary>
    internal void LoadInBackground() => ThreadPool.UnsafeQueueUserWorkItem(tokenizer => _ = tokenizer.Value, _tokenizer, preferLocal: false);

    /// <summary>The tiktoken encoding name, e.g. <c>o200k_base</c>.</summary>
    public string Encoding { get; }

    /// <summary>The encoding for a model name: cl100k for the GPT-4 / GPT-3.5 families, o200k otherwise (also for non-OpenAI models, as an estimate).</summary>
    public static TokenCounter ForModel(string? model) =>
        model is not null && (model.StartsWith("gpt-4-", StringComparison.OrdinalIgnoreCase) || model.Equals("gpt-4", StringComparison.OrdinalIgnoreCase)
            || model.StartsWith("gpt-3.5", StringComparison.OrdinalIgnoreCase) || model.StartsWith("text-embedding-", StringComparison.OrdinalIgnoreCase))
            ? Cl100k
            : O200k;

    /// <summary>The counter of an encoding by name (<c>o200k</c>, <c>cl100k</c>, with or without <c>_base</c>).</summary>
    /// <exception cref="ArgumentException">For any other name.</exception>
    public static TokenCounter ForEncoding(string encoding) =>
        TryForEncoding(encoding) ?? throw new ArgumentException(UnknownEncoding(encoding), nameof(encoding));

    /// <summary>The counter of an encoding by name, or null for a name that is not one.</summary>
    internal static TokenCounter? TryForEncoding(string encoding) => encoding.ToLowerInvariant() switch
    {
        "o200k" or "o200k_base" => O200k,
        "cl100k" or "cl100k_base" => Cl100k,
        _ => null,
    };

    /// <summary>What is said of an encoding name that is not one.</summary>
    internal static string UnknownEncoding(string encoding) => $"unknown encoding \"{encoding}\" (use o200k or cl100k)";

    /// <summary>
    /// The number of tokens of <paramref name="text"/>. A long text is counted in pieces cut where a word begins after a
    /// single space, where the encoding's pre-tokenizer cuts too, so the count is exact; a stretch of more than
    /// <see cref="PieceLength"/> characters with no such place (a base64 image, a run of one character) is cut anyway,
    /// which may count one token more or less per cut but keeps the time linear: byte-pair encoding takes time
    /// quadratic in the length of one such stretch (64,000 of one letter took 2.4 s, a megabyte would take minutes).
    /// </summary>
    public int Count(string text)
    {
        if (text.Length <= PieceLength)
        {
            return _tokenizer.Value.CountTokens(text);
        }

        var total = 0;
        for (var start = 0; start < text.Length;)
        {
            var end = Math.Min(text.Length, start + PieceLength);
            if (end < text.Length)
            {
                var word = LastWordStart(text, start, end);
                end = word > start ? word : char.IsHighSurrogate(text[end - 1]) ? end - 1 : end;
            }

            total += _tokenizer.Value.CountTokens(text.AsSpan(start, end - start));
            start = end;
        }

        return total;
    }

    /// <summary>Whether <paramref name="text"/> has at most <paramref name="maxTokens"/> tokens (see <see cref="CountBeyond"/>).</summary>
    public bool AtMost(string text, int maxTokens) => CountBeyond(text, maxTokens) is not { } count || count <= maxTokens;

    /// <summary>
    /// The tokens of <paramref name="text"/>, or null when it cannot have more than <paramref name="maxTokens"/>: every
    /// token of these byte-level encodings is at least one byte of UTF-8, so a text of no more bytes than that is not
    /// counted.
    /// </summary>
    public int? CountBeyond(string text, int maxTokens) =>
        System.Text.Encoding.UTF8.GetByteCount(text) <= maxTokens ? null : Count(text);

    /// <summary>Texts longer than this are counted in pieces of at most this many characters.</summary>
    internal const int PieceLength = 1024;

    /// <summary>The last index in (<paramref name="start"/>, <paramref name="end"/>] of a single space between two characters that are not white space, or -1.</summary>
    private static int LastWordStart(string text, int start, int end)
    {
        for (var i = Math.Min(end, text.Length - 2); i > start; i--)
        {
            if (text[i] == ' ' && !char.IsWhiteSpace(text[i - 1]) && !char.IsWhiteSpace(text[i + 1]))
            {
                return i;
            }
        }

        return -1;
    }
}
