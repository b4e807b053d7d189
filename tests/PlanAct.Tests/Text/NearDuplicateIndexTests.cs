using PlanAct.Text;

namespace PlanAct.Tests.Text;

public class NearDuplicateIndexTests
{
    [Fact]
    public void Finds_exact_duplicates_whatever_their_case_and_punctuation()
    {
        var index = new NearDuplicateIndex();
        index.Add("Show me my orders");
        var id = index.Add("What is the price of the red mug?");
        var match = index.FindNearest("what is the PRICE of the red mug");
        Assert.Equal(new NearDuplicateMatch(id, "What is the price of the red mug?", 1.0, IsExact: true), match);
    }

    [Fact]
    public void Matches_at_the_threshold_and_not_below()
    {
        var index = new NearDuplicateIndex(0.75);
        index.Add("a b c d");
        Assert.Equal(0.75, index.FindNearest("a c d e")!.Score, 12);
        Assert.False(index.FindNearest("a c d e")!.IsExact);
        Assert.Null(index.FindNearest("a c x y"));

        // 2·7/20 = 0.7 exactly, the Self-Instruct default.
        var selfInstruct = new NearDuplicateIndex();
        selfInstruct.Add("one two three four five six seven eight nine ten");
        Assert.NotNull(selfInstruct.FindNearest("one two three four five six seven x y z"));
        Assert.Null(selfInstruct.FindNearest("one two three four five six x y z w"));
    }

    [Fact]
    public void Queries_without_words_never_match()
    {
        var index = new NearDuplicateIndex(1.0);
        index.Add("?!");
        index.Add("");
        Assert.Null(index.FindNearest("?!"));
        Assert.Null(index.FindNearest(""));
        Assert.Equal(2, index.Count);
        Assert.Equal("?!", index[0]);
    }

    [Fact]
    public void Threshold_one_matches_only_the_same_words()
    {
        var index = new NearDuplicateIndex(1.0);
        index.Add("buy a red mug");
        Assert.Null(index.FindNearest("buy a red mugs"));
        Assert.True(index.FindNearest("Buy a red mug!")!.IsExact);
    }

    [Fact]
    public void Returns_the_most_similar_then_the_oldest()
    {
        var index = new NearDuplicateIndex(0.5);
        index.Add("open the issue list of the project");
        var closer = index.Add("open the merge request list of the project");
        index.Add("open the merge request list of the project now");
        Assert.Equal(closer, index.FindNearest("open the merge requests list of the project")!.Id);

        var tied = new NearDuplicateIndex(0.5);
        var first = tied.Add("a b x");
        tied.Add("a b y");
        Assert.Equal(first, tied.FindNearest("a b z")!.Id);
    }

    [Fact]
    public void Repeated_words_are_counted_as_often_as_they_occur()
    {
        var index = new NearDuplicateIndex(0.6);
        index.Add("the the the the cat");
        Assert.Equal(2.0 * 2 / 7, RougeL.FMeasure("the the the the cat", "the cat"), 12);
        Assert.Null(index.FindNearest("the cat"));
        Assert.NotNull(index.FindNearest("the the the cat"));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.1)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    public void Rejects_a_threshold_outside_zero_to_one(double threshold) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new NearDuplicateIndex(threshold));

    /// <summary>
    /// The pruning must be exact: the index answers what comparing with every query answers, also across the
    /// re-orderings of its words (at 1,024 and 2,048 queries).
    /// </summary>
    [Theory]
    [InlineData(0.3)]
    [InlineData(0.5)]
    [InlineData(0.7)]
    [InlineData(0.9)]
    public void Agrees_with_comparing_every_pair(double threshold)
    {
        var random = new Random(17);
        string[] vocabulary = ["a", "b", "c", "d", "e", "f", "g", "h", "the", "of", "mug", "red", "blue", "order", "issue"];
        string Query() => string.Join(' ', Enumerable.Range(0, random.Next(0, 12)).Select(_ => vocabulary[random.Next(random.Next(1, vocabulary.Length + 1))]));
        var index = new NearDuplicateIndex(threshold);
        var added = new List<string[]>();
        var matches = 0;
        for (var i = 0; i < 2800; i++)
        {
            var query = Query();
            var words = QueryText.Tokenize(query);
            var expected = added
                .Select((q, id) => (Id: id, Score: RougeL.FMeasure(q, words)))
                .Where(c => c.Score >= threshold)
                .OrderByDescending(c => c.Score).ThenBy(c => c.Id)
                .Select(c => ((int, double)?)(c.Id, c.Score)).FirstOrDefault();
            var found = index.FindNearest(query);
            Assert.Equal(expected, found is null ? null : (found.Id, found.Score));
            Assert.Equal(found is { Score: 1.0 }, found is { IsExact: true });
            matches += found is null ? 0 : 1;
            if (random.Next(4) != 0)
            {
                added.Add(words);
                index.Add(query);
            }
        }

        Assert.InRange(matches, 50, 2750);
        Assert.True(index.Count > 2048);
    }
}
