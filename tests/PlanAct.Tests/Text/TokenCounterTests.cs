using Microsoft.ML.Tokenizers;
using PlanAct.Html;
using PlanAct.Tests.Training;
using PlanAct.Text;

namespace PlanAct.Tests.Text;

/// <summary>Counting long texts in pieces: exact where words begin, bounded where no word begins for a long stretch.</summary>
public class TokenCounterTests
{
    private static readonly Tokenizer O200k = TiktokenTokenizer.CreateForEncoding("o200k_base");

    [Fact]
    public async Task Every_sample_page_raw_and_in_each_view_counts_exactly_what_the_tokenizer_counts_whole()
    {
        var texts = (await TestPlans.SampleTrajectoriesAsync())
            .SelectMany(t => t.Steps)
            .SelectMany(s => new[] { s.Html, PageView.Render(s.Html, PageView.Planner), PageView.Render(s.Html, PageView.Executor) })
            .Where(t => t.Length > TokenCounter.PieceLength)
            .ToList();

        Assert.True(texts.Count > 100, $"only {texts.Count} texts longer than a piece");
        Assert.All(texts, text => Assert.Equal(O200k.CountTokens(text), TokenCounter.O200k.Count(text)));
    }

    [Theory]
    [InlineData("The page lists 12 orders; open the latest one and read its total. ")]
    [InlineData("Ünïcödé wörds, 数字 and emoji 🙂 side by side. ")]
    [InlineData("a  b\n\nc\td ")]
    public void Prose_of_any_length_counts_exactly(string sentence)
    {
        var text = string.Concat(Enumerable.Repeat(sentence, 400));

        Assert.Equal(O200k.CountTokens(text), TokenCounter.O200k.Count(text));
    }

    [Theory]
    [InlineData('a')]
    [InlineData(' ')]
    [InlineData('7')]
    [InlineData('=')]
    public void A_long_run_without_a_word_start_is_counted_within_one_token_per_piece(char repeated)
    {
        var text = new string(repeated, 50 * TokenCounter.PieceLength);

        var pieces = text.Length / TokenCounter.PieceLength;
        Assert.InRange(TokenCounter.O200k.Count(text), O200k.CountTokens(text) - pieces, O200k.CountTokens(text) + pieces);
    }

    [Fact]
    public void A_piece_never_ends_between_the_halves_of_a_surrogate_pair()
    {
        var text = new string('x', TokenCounter.PieceLength - 1) + string.Concat(Enumerable.Repeat("🙂", 2000));

        Assert.InRange(TokenCounter.O200k.Count(text), O200k.CountTokens(text) - 5, O200k.CountTokens(text) + 5);
    }
}
