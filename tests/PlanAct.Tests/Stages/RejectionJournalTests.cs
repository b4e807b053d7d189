using PlanAct.Stages;

namespace PlanAct.Tests.Stages;

public class RejectionJournalTests
{
    [Fact]
    public async Task Opening_keeps_and_counts_the_lines_of_finished_items_and_drops_the_rest_so_they_can_be_written_again()
    {
        var dir = TestPaths.TempDir();
        var outPath = Path.Combine(dir, "plans.jsonl");
        var path = RejectionJournal.PathBeside(outPath);
        Assert.Equal(Path.Combine(dir, "plans.rejections.jsonl"), path);
        await File.WriteAllTextAsync(
            path,
            """{"id":"a","reasons":["step 2 has no actions","the last step must end at action 4."]}""" + "\n"
            + """{"id":"gone","reasons":["step 1 has no actions"]}""" + "\n"
            + "not json\n"
            + """{"id":"b","reasons":["step 5 has no actions"]}""" + "\n"
            + """{"id":"c","reas""");

        await using (var journal = await RejectionJournal.OpenAsync(outPath, ["a", "b", "c"], CancellationToken.None))
        {
            Assert.Equal(new Dictionary<string, int> { ["step N has no actions"] = 2, ["the last step must end at action N."] = 1 }, journal.Earlier);

            // "c" was torn before its record was written: it is done again and written again.
            await journal.AppendAsync("c", ["empty answer"], CancellationToken.None);
            await journal.AppendAsync("gone", ["step 3 has no actions"], CancellationToken.None);
            await Assert.ThrowsAsync<InvalidOperationException>(() => journal.AppendAsync("a", ["again"], CancellationToken.None));
        }

        Assert.Equal(["a", "b", "c", "gone"], File.ReadAllLines(path).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()));
        await using (var reopened = await RejectionJournal.OpenAsync(outPath, ["b", "c"], CancellationToken.None))
        {
            Assert.Equal(new Dictionary<string, int> { ["empty answer"] = 1, ["step N has no actions"] = 1 }, reopened.Earlier);
        }

        Assert.Equal(2, File.ReadAllLines(path).Length);
    }

    [Fact]
    public async Task Without_a_journal_nothing_was_rejected_before_and_without_rejections_none_is_written()
    {
        var dir = TestPaths.TempDir();
        var outPath = Path.Combine(dir, "plans.jsonl");

        await using (var journal = await RejectionJournal.OpenAsync(outPath, ["a"], CancellationToken.None))
        {
            Assert.Empty(journal.Earlier);
        }

        Assert.False(File.Exists(RejectionJournal.PathBeside(outPath)));
    }
}
