using System.Text;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Viewing;

namespace PlanAct.Tests.Viewing;

public class RecordIndexTests
{
    [Fact]
    public async Task Every_line_is_read_back_by_seeking_to_its_offset_past_a_bom_crlf_blank_lines_and_multibyte_text()
    {
        var dir = TestPaths.TempDir();
        var path = Path.Combine(dir, "plans.jsonl");
        string[] lines =
        [
            PlanJsonl.Format(ViewingFixtures.PlanRecord("a", "shopping", "Buy tea for 5 dollars", ViewingFixtures.Plan([0]))),
            PlanJsonl.Format(ViewingFixtures.PlanRecord("b", "map", "Route 東京 → 大阪", ViewingFixtures.Plan([0, 1]))),
            PlanJsonl.Format(ViewingFixtures.PlanRecord("c", "map", "Last line without a newline", ViewingFixtures.Plan([0]))),
        ];
        await File.WriteAllTextAsync(path, lines[0] + "\r\n\r\n" + lines[1] + "\n   \n" + lines[2], new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        var index = await RecordIndex.BuildAsync([new ViewedFile(path, ViewedFileRole.Records)], TrajectoryActions.None);

        Assert.Equal([1, 3, 5], index.Entries.Select(e => e.Line));
        Assert.Equal([0L, 3L + lines[0].Length + 4L], index.Entries.Take(2).Select(e => e.Offset));
        foreach (var (entry, line) in index.Entries.Zip(lines))
        {
            Assert.Equal(line, await index.ReadAsync(entry));
        }
    }

    [Fact]
    public async Task Filters_pick_by_kind_site_origin_and_outcome_and_facets_count_each_value()
    {
        var (plans, trajectories) = await ViewingFixtures.WritePlansAsync(TestPaths.TempDir());
        var browser = await RecordBrowser.OpenAsync(plans, trajectories, CancellationToken.None);
        var index = browser.Index;

        Assert.Equal(["t1", "t2", "s1", "t3"], index.Entries.Select(e => e.Id));
        Assert.Equal(["s1"], index.Page(new RecordFilter(Origin: PlanOrigin.Synthetic), 0, 10).Entries.Select(e => e.Id));
        Assert.Equal(["t2", "s1"], index.Page(new RecordFilter(Site: "gitlab"), 0, 10).Entries.Select(e => e.Id));
        var quarantined = Assert.Single(index.Page(new RecordFilter(Outcome: RecordOutcomes.Quarantined), 0, 10).Entries);
        Assert.Equal(("t3", "planner", "reddit", PlanOrigin.Grounded), (quarantined.Id, quarantined.Kind, quarantined.Site, quarantined.Origin));
        Assert.Empty(index.Page(new RecordFilter(Kind: "executor"), 0, 10).Entries);
        var (page, total) = index.Page(new RecordFilter(Kind: "planner"), 1, 3);
        Assert.Equal(["t3"], page.Select(e => e.Id));
        Assert.Equal(4, total);
        Assert.Equal([new FacetValue("ok", 3), new FacetValue("quarantined", 1)], index.Facets["outcome"]);
        Assert.Equal([new FacetValue("gitlab", 2), new FacetValue("reddit", 1), new FacetValue("shopping", 1)], index.Facets["site"]);
        Assert.Equal(["Step 2 has no Actions field."], await index.RejectionsAsync(index.Entries[0]));
        Assert.Empty(await index.RejectionsAsync(index.Entries[1]));
    }

    [Fact]
    public async Task A_malformed_line_stops_the_index_with_its_file_and_line()
    {
        var dir = TestPaths.TempDir();
        var path = Path.Combine(dir, "plans.jsonl");
        await File.WriteAllLinesAsync(path, [PlanJsonl.Format(ViewingFixtures.PlanRecord("a", "map", "A task", ViewingFixtures.Plan([0]))), "", "{\"id\": \"b\", \"steps\": [", "{}"]);

        var error = await Assert.ThrowsAsync<InputException>(() => RecordBrowser.OpenAsync(path, null, CancellationToken.None));

        Assert.StartsWith($"{path}:3: malformed JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_that_is_not_records_or_a_missing_path_is_bad_input_naming_it()
    {
        var dir = TestPaths.TempDir();
        var notRecords = Path.Combine(dir, "notes.jsonl");
        await File.WriteAllTextAsync(notRecords, "{\"hello\": 1}\n");
        var missing = Path.Combine(dir, "nothing-here");

        var wrong = await Assert.ThrowsAsync<InputException>(() => RecordBrowser.OpenAsync(notRecords, null, CancellationToken.None));
        var absent = await Assert.ThrowsAsync<InputException>(() => RecordBrowser.OpenAsync(missing, null, CancellationToken.None));
        var notARun = await Assert.ThrowsAsync<InputException>(() => RecordBrowser.OpenAsync(dir, null, CancellationToken.None));

        Assert.StartsWith($"{notRecords}:1: neither an example record", wrong.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{missing}: no such file or folder", absent.Message, StringComparison.Ordinal);
        Assert.Contains("run.json", notARun.Message, StringComparison.Ordinal);
    }
}
