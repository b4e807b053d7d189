using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Stages;
using PlanAct.Stages.Generation;
using PlanAct.Tests.Training;

namespace PlanAct.Tests.Stages;

public class DataPairTextTests
{
    private const string Plan = "## Step 1\nReasoning: The home page has a search box.\nStep: Search for the item.";

    [Fact]
    public void Parses_pairs_with_multiline_queries_bold_headers_and_worded_seed_numbers()
    {
        var answer = $"""
            Sure, here they are.

            ## **Data Pair 1**
            User Query: Find the cheapest
            red mug.
            Initial HTML State: 2
            Global Plan:
            {Plan}

            ### Data Pair 2:
            - **User Query:** Show my last order
            **Initial HTML State:** Example 3
            Global Plan:
            {Plan}
            """;
        var (pairs, error) = DataPairText.Parse(answer, 3);
        Assert.Null(error);
        Assert.Equal(2, pairs.Count);
        Assert.Equal("Find the cheapest\nred mug.", pairs[0].Query);
        Assert.Equal(2, pairs[0].Seed);
        Assert.Null(pairs[0].Rejected);
        Assert.Equal("Search for the item.", pairs[0].Plan!.Steps[0].Step);
        Assert.Equal(("Show my last order", 3, (string?)null), (pairs[1].Query, pairs[1].Seed, pairs[1].Rejected));
    }

    [Theory]
    [InlineData("User Query: \nInitial HTML State: 1\nGlobal Plan:\n" + Plan, RejectionReason.Malformed, "no 'User Query:'")]
    [InlineData("User Query: ?!\nInitial HTML State: 1\nGlobal Plan:\n" + Plan, RejectionReason.Malformed, "no words")]
    [InlineData("User Query: a b\nInitial HTML State: the first one\nGlobal Plan:\n" + Plan, RejectionReason.Malformed, "no seed number")]
    [InlineData("User Query: a b\nInitial HTML State: 1\n" + Plan, RejectionReason.Malformed, "no 'Global Plan:'")]
    [InlineData("User Query: a b\nInitial HTML State: 1\nGlobal Plan:\nJust do it.", RejectionReason.Malformed, "No '## Step N' blocks")]
    [InlineData("User Query: a b\nInitial HTML State: 1\nGlobal Plan:\n## Step 2\nReasoning: r\nStep: s", RejectionReason.Malformed, "numbered 1, 2, 3")]
    [InlineData("User Query: a b\nInitial HTML State: 4\nGlobal Plan:\n" + Plan, RejectionReason.SeedOutOfRange, "seed 4 is not one of 1..3")]
    [InlineData("User Query: a b\nInitial HTML State: 0\nGlobal Plan:\n" + Plan, RejectionReason.SeedOutOfRange, "seed 0")]
    public void A_bad_pair_is_kept_with_its_reason(string block, string reason, string detail)
    {
        var (pairs, error) = DataPairText.Parse("## Data Pair 1\n" + block, 3);
        Assert.Null(error);
        var pair = Assert.Single(pairs);
        Assert.Equal(reason, pair.Rejected);
        Assert.Contains(detail, pair.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("User Query: a\nInitial HTML State: 1\nGlobal Plan:\n" + Plan)]
    [InlineData("## Data Pairs\nnothing")]
    public void An_answer_without_pair_blocks_is_an_error(string answer) =>
        Assert.StartsWith("No '## Data Pair N' blocks", DataPairText.Parse(answer, 3).Error, StringComparison.Ordinal);
}

public class SeedRepositoryTests
{
    private static PlanRecord Seed(string site, int n) =>
        new($"{site}-{n}", site, $"task {n} on {site}", $"<html>{site}</html>", new Plan(EquatableList.Of(new PlanStep(1, "r", null, "s", null))), PlanOrigin.Grounded);

    private static SeedRepository Repository(params (string Site, int Count)[] sites) =>
        SeedRepository.Create(sites.SelectMany(s => Enumerable.Range(1, s.Count).Select(n => Seed(s.Site, n))));

    [Fact]
    public void Requests_take_the_sites_in_turn_in_name_order()
    {
        var draws = Repository(("map", 3), ("gitlab", 3), ("reddit", 3)).Draw(2, 0).Take(7).ToList();
        Assert.Equal(["gitlab", "map", "reddit", "gitlab", "map", "reddit", "gitlab"], draws.Select(d => d.Site));
        Assert.Equal(Enumerable.Range(0, 7), draws.Select(d => d.Index));
        Assert.All(draws, d => Assert.All(d.Seeds, s => Assert.Equal(d.Site, s.Site)));
    }

    [Fact]
    public void Seeds_are_dealt_without_replacement_until_too_few_are_left()
    {
        var draws = Repository(("map", 10)).Draw(3, 42).Take(9).Select(d => d.Seeds.Select(s => s.Id).ToList()).ToList();
        for (var round = 0; round < 3; round++)
        {
            // 10 seeds, 3 per request: three requests without a repeat, then a fresh shuffle.
            var dealt = draws.Skip(round * 3).Take(3).SelectMany(d => d).ToList();
            Assert.Equal(9, dealt.Distinct().Count());
        }

        Assert.All(draws, d => Assert.Equal(3, d.Distinct().Count()));
    }

    [Fact]
    public void The_same_seed_gives_the_same_draws_and_another_seed_others()
    {
        var repository = Repository(("map", 8), ("gitlab", 6));
        string Ids(int seed) => string.Join(";", repository.Draw(3, seed).Take(20).Select(d => string.Join(",", d.Seeds.Select(s => s.Id))));
        Assert.Equal(Ids(5), Ids(5));
        Assert.NotEqual(Ids(5), Ids(6));
    }

    [Fact]
    public void A_site_with_fewer_seeds_than_asked_shows_all_it_has()
    {
        var draws = Repository(("map", 2)).Draw(5, 0).Take(3).ToList();
        Assert.All(draws, d => Assert.Equal(2, d.Seeds.Count));
    }

    [Fact]
    public void Sites_can_be_chosen_and_ordered_and_a_missing_one_is_named()
    {
        var records = new[] { Seed("map", 1), Seed("gitlab", 1), Seed("reddit", 1) };
        var chosen = SeedRepository.Create(records, ["reddit", "map"]);
        Assert.Equal(["reddit", "map"], chosen.Draw(1, 0).Take(2).Select(d => d.Site));
        Assert.Equal(2, chosen.All.Count());
        Assert.Equal(3, chosen.AllTasks.Count);
        var e = Assert.Throws<ArgumentException>(() => SeedRepository.Create(records, ["shopping"]));
        Assert.Contains("no seed plans for site \"shopping\" (the seeds have: gitlab, map, reddit)", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => SeedRepository.Create([]));
    }

    [Fact]
    public async Task Loading_reports_a_bad_seed_line()
    {
        var path = Path.Combine(TestPaths.TempDir(), "seeds.jsonl");
        await File.WriteAllLinesAsync(path, [PlanJsonl.Format(Seed("map", 1)), "{\"id\": \"x\"}"]);
        var e = await Assert.ThrowsAsync<InputException>(() => SeedRepository.LoadAsync(path, new ProblemLog()));
        Assert.Equal(new SourceLocation(path, 2), e.Location);
    }
}

public class ShuffledDeckTests
{
    [Fact]
    public void No_deal_repeats_a_card_even_across_a_reshuffle()
    {
        var deck = new ShuffledDeck<int>(Enumerable.Range(0, 7), new Random(3));
        var deals = Enumerable.Range(0, 40).Select(_ => deck.Deal(3)).ToList();
        Assert.All(deals, d => Assert.Equal(3, d.Distinct().Count()));
        Assert.Equal(6, deals.Take(2).SelectMany(d => d).Distinct().Count());
        Assert.Equal([0, 1, 2], new ShuffledDeck<int>([0, 1, 2], new Random(1)).Deal(5).Order());
        Assert.Throws<ArgumentOutOfRangeException>(() => deck.Deal(0));
    }
}

public class PairSelectionTests
{
    private static readonly Plan Plan = new(EquatableList.Of(new PlanStep(1, "r", null, "s", null)));

    private static async Task<SeedRepository> SeedsAsync() =>
        SeedRepository.Create((await TestPlans.SampleTrajectoriesAsync()).Select(TestPlans.For), ["map"]);

    [Fact]
    public async Task Pairs_are_judged_in_order_test_set_first_and_stop_at_the_target()
    {
        var seeds = await SeedsAsync();
        var shown = seeds.SeedsOf("map").Take(2).Select(s => s.Id).ToEquatableList();
        var seedQuery = seeds[shown[0]].Task;
        var selection = new PairSelection(seeds, new PairFilter(0.7, seeds.All.Select(s => s.Task), ["What is the zip code of Carnegie Mellon University?"]), PlanOrigin.Synthetic, target: 3);
        selection.Add(new GeneratedAnswer("expand-00000-aaaa", 0, "map", shown,
        [
            new GeneratedPair(1, "Where is the nearest bakery to Union Station?", 2, Plan),
            new GeneratedPair(2, "what is the zip code of carnegie mellon university", 1, Plan),
            new GeneratedPair(3, seedQuery + " Thanks.", 1, Plan),
            new GeneratedPair(4, "Where is the nearest bakery to Union Station", 1, Plan),
            new GeneratedPair(5, "Where is the closest bakery to Union Station?", 1, Plan),
            new GeneratedPair(6, "x y", 9, Plan, RejectionReason.SeedOutOfRange, "seed 9"),
            new GeneratedPair(7, "How long does it take to walk from the Louvre to Notre Dame?", 1, Plan),
        ]));
        selection.Add(new GeneratedAnswer("expand-00001-bbbb", 1, "map", shown,
        [
            new GeneratedPair(1, "Which museums are within a mile of Central Park?", 1, Plan),
            new GeneratedPair(2, "Find a pharmacy near Pittsburgh airport", 1, Plan),
        ]));

        Assert.Equal(
            [RejectionReason.TestSetNearDuplicate, RejectionReason.NearDuplicate, RejectionReason.ExactDuplicate, RejectionReason.NearDuplicate, RejectionReason.SeedOutOfRange],
            selection.Rejected.Select(r => r.Reason));
        Assert.Equal(3, selection.Accepted.Count);
        Assert.Equal(1, selection.Unused);
        var first = selection.Accepted[0];
        Assert.Equal(("synthetic-00000-1", shown[1], seeds[shown[1]].InitialHtml), (first.Id, first.InitialHtmlFrom, first.InitialHtml));
        Assert.Equal(shown, first.Seeds);

        var report = selection.Report("expand", 2, 0);
        Assert.Equal(3, report.AcceptedBySite["map"]);
        Assert.Equal(2, report.SeedPagesUsed.Max);
        Assert.Equal(1, report.Rejected[RejectionReason.ExactDuplicate]);
        Assert.InRange(report.Distinct1, 0.5, 1);
    }
}
