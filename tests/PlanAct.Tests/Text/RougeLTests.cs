using PlanAct.Text;

namespace PlanAct.Tests.Text;

public class RougeLTests
{
    [Theory]
    [InlineData("", new string[0])]
    [InlineData("  !!! ... --- ", new string[0])]
    [InlineData("Don't STOP!", new[] { "don", "t", "stop" })]
    [InlineData("Find the  price of item #42.", new[] { "find", "the", "price", "of", "item", "42" })]
    [InlineData("Café — Straße 12", new[] { "café", "straße", "12" })]
    [InlineData("Cafe\u0301 au lait", new[] { "café", "au", "lait" })]
    [InlineData("ＡＢＣ１ 🍕 pizza", new[] { "abc1", "pizza" })]
    [InlineData("Москва→Санкт-Петербург", new[] { "москва", "санкт", "петербург" })]
    public void Tokenize_gives_lowercase_words_of_any_script(string query, string[] words) =>
        Assert.Equal(words, QueryText.Tokenize(query));

    [Fact]
    public void Normalize_ignores_case_spacing_and_punctuation() =>
        Assert.Equal(QueryText.Normalize("What is the  price of the RED mug?"), QueryText.Normalize("what is the price of the red mug"));

    [Theory]
    [InlineData("a b c d", "a b c d", 1.0)]
    [InlineData("a b c d", "a c d e", 0.75)]
    [InlineData("a b", "b a", 0.5)]
    [InlineData("a b c", "x y z", 0.0)]
    [InlineData("", "a b", 0.0)]
    [InlineData("", "", 0.0)]
    [InlineData("!!!", "???", 0.0)]
    [InlineData("Show me the ORDERS.", "show me the orders", 1.0)]
    [InlineData("a a a", "a", 0.5)]
    public void FMeasure_is_twice_the_lcs_over_the_total_length(string a, string b, double expected)
    {
        Assert.Equal(expected, RougeL.FMeasure(a, b), 12);
        Assert.Equal(expected, RougeL.FMeasure(b, a), 12);
    }

    [Fact]
    public void FMeasure_matches_precision_and_recall_form()
    {
        // LCS("the cat sat on the mat", "the cat lay on a mat") = the cat on mat = 4; P = 4/6, R = 4/6.
        Assert.Equal(2 * (4.0 / 6) * (4.0 / 6) / ((4.0 / 6) + (4.0 / 6)), RougeL.FMeasure("the cat sat on the mat", "the cat lay on a mat"), 12);
        // Unequal lengths: LCS = 2, |a| = 2, |b| = 5: P = 2/5, R = 1, F = 2·0.4/1.4.
        Assert.Equal(0.8 / 1.4, RougeL.FMeasure("red mug", "buy a red coffee mug"), 12);
    }

    [Fact]
    public void Long_queries_are_measured_beyond_the_stack_buffer()
    {
        var a = string.Join(' ', Enumerable.Range(0, 600).Select(i => $"w{i}"));
        var b = string.Join(' ', Enumerable.Range(0, 600).Where(i => i % 3 != 0).Select(i => $"w{i}"));
        Assert.Equal(2.0 * 400 / 1000, RougeL.FMeasure(a, b), 12);
    }
}

public class QueryDiversityTests
{
    [Fact]
    public void Distinct_n_counts_unique_words_and_pairs_over_all()
    {
        var diversity = new QueryDiversity();
        Assert.Equal(0, diversity.Distinct1);
        diversity.Add("buy a red mug");
        diversity.Add("Buy a blue mug!");
        diversity.Add("...");
        Assert.Equal(3, diversity.Queries);
        Assert.Equal(5.0 / 8, diversity.Distinct1, 12);   // buy a red mug blue
        Assert.Equal(5.0 / 6, diversity.Distinct2, 12);   // buy·a twice; a·red red·mug a·blue blue·mug
    }
}
