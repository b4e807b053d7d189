using PlanAct.Actions;
using PlanAct.IO;
using PlanAct.Trajectories;

namespace PlanAct.Tests.Trajectories;

public class TrajectoryJsonlTests
{
    private static Trajectory Sample(string id = "t1") => new(id, "shopping", "Find the \"blue\" mug — café",
        EquatableList.Of(
            new TrajectoryStep(0, TestPaths.StartPages["shopping"], ActionParser.Parse("# Element: search\ndo(action=\"Search\", argument=\"mug\", element=\"5\")")),
            new TrajectoryStep(1, "<p> $5 </p>", ActionParser.Parse("# Note: $5\nexit(message=\"$5\")"))))
    {
        Score = 1.0,
        Source = new SourceLocation("x.json", Element: 3),
    };

    private static Task<List<Trajectory>> ReadAll(string path, ProblemLog? problems = null) =>
        TrajectoryFiles.ReadAsync(path, new TrajectoryReadOptions { Problems = problems ?? new ProblemLog() }).ToListAsync().AsTask();

    [Fact]
    public async Task Write_then_read_is_identity_and_jsonl_to_sft_to_jsonl_keeps_the_data()
    {
        var dir = TestPaths.TempDir();
        var original = Sample();
        var jsonl = Path.Combine(dir, "a.jsonl");
        await TrajectoryJsonl.WriteAsync(jsonl, new[] { original }.ToAsyncEnumerable());
        var back = Assert.Single(await ReadAll(jsonl));
        Assert.Equal(original, back);
        Assert.Contains("<html", await File.ReadAllTextAsync(jsonl), StringComparison.Ordinal);

        var sft = Path.Combine(dir, "a.json");
        await SftTrajectoryWriter.WriteAsync(sft, new[] { original }.ToAsyncEnumerable());
        var viaSft = Assert.Single(await TrajectoryFiles.ReadAsync(sft, new TrajectoryReadOptions()).ToListAsync());
        Assert.Equal(original.Steps, viaSft.Steps);
        Assert.Equal(original.Task, viaSft.Task);
        Assert.Equal(original.Site, viaSft.Site);
    }

    [Theory]
    [InlineData("{\"id\": \"a\", \"task\": \"t\", \"steps\": [", "malformed JSON")]
    [InlineData("[1, 2]", "expected a JSON object")]
    [InlineData("{\"task\": \"t\", \"steps\": [{\"index\": 0, \"html\": \"\", \"action\": \"exit()\"}]}", "missing \"id\"")]
    [InlineData("{\"id\": \"a\", \"steps\": [{\"index\": 0, \"html\": \"\", \"action\": \"exit()\"}]}", "missing or empty \"task\"")]
    [InlineData("{\"id\": \"a\", \"task\": \"t\", \"steps\": []}", "no steps")]
    [InlineData("{\"id\": \"a\", \"task\": \"t\", \"steps\": [{\"index\": 0, \"html\": \"\", \"action\": \"\"}]}", "step 0 has an empty action")]
    [InlineData("{\"id\": \"a\", \"task\": \"t\", \"steps\": [{\"index\": 0, \"html\": \"\", \"action\": \"click it\"}]}", "step 0 has a bad action")]
    [InlineData("{\"id\": \"a\", \"task\": \"t\", \"steps\": [{\"index\": 0, \"html\": \"\", \"action\": \"exit()\"}, {\"index\": 2, \"html\": \"\", \"action\": \"exit()\"}]}", "steps 1..1 are missing")]
    [InlineData("{\"id\": \"a\", \"task\": \"t\", \"steps\": [{\"index\": 0, \"html\": \"\", \"action\": \"exit()\"}, {\"index\": 0, \"html\": \"\", \"action\": \"exit()\"}]}", "repeats index 0")]
    [InlineData("{\"schema\": \"other@9\", \"id\": \"a\", \"task\": \"t\", \"steps\": []}", "unsupported schema")]
    public async Task Bad_lines_name_file_line_and_reason(string badLine, string expected)
    {
        var path = Path.Combine(TestPaths.TempDir(), "bad.jsonl");
        await File.WriteAllTextAsync(path, TrajectoryJsonl.Format(Sample()) + "\n\n" + badLine + "\n");
        var e = await Assert.ThrowsAsync<InputException>(() => ReadAll(path));
        Assert.Equal(3, e.Location.Line);
        Assert.Contains(expected, e.Reason, StringComparison.Ordinal);
        Assert.StartsWith($"{path}:3: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Duplicate_ids_are_rejected()
    {
        var path = Path.Combine(TestPaths.TempDir(), "dup.jsonl");
        await File.WriteAllTextAsync(path, TrajectoryJsonl.Format(Sample()) + "\n" + TrajectoryJsonl.Format(Sample()) + "\n");
        var problems = new ProblemLog(skipInvalid: true);
        Assert.Single(await ReadAll(path, problems));
        Assert.Contains("duplicate id \"t1\" (first at line 1)", Assert.Single(problems.Problems).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_site_is_inferred_from_the_first_page()
    {
        var path = Path.Combine(TestPaths.TempDir(), "nosite.jsonl");
        var line = TrajectoryJsonl.Format(Sample() with { Site = "" }).Replace("\"site\":\"\",", "", StringComparison.Ordinal);
        await File.WriteAllTextAsync(path, line + "\n");
        Assert.Equal("shopping", Assert.Single(await ReadAll(path)).Site);
    }

    [Fact]
    public void Site_detection_follows_the_spec_order()
    {
        foreach (var (site, page) in TestPaths.StartPages)
        {
            Assert.Equal(site, SiteDetector.Detect(page));
        }

        Assert.Equal("map", SiteDetector.Detect("<p>OpenStreetMap and GitLab</p>"));
        Assert.Equal("shopping_admin", SiteDetector.Detect("<p>My Cart Magento Admin Panel</p>"));
        Assert.Equal("unknown", SiteDetector.Detect("<p>hello</p>"));
    }

    [Fact]
    public async Task A_failed_write_leaves_no_file()
    {
        var path = Path.Combine(TestPaths.TempDir(), "out.jsonl");
        static async IAsyncEnumerable<Trajectory> Failing()
        {
            yield return Sample();
            await Task.Yield();
            throw new InputException(new SourceLocation("in.json", 7), "boom");
        }

        await Assert.ThrowsAsync<InputException>(() => TrajectoryJsonl.WriteAsync(path, Failing()));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void Schema_file_names_every_field_the_writer_emits()
    {
        var schema = File.ReadAllText(Path.Combine(TestPaths.Root, "schemas", "trajectory.schema.json"));
        using var doc = System.Text.Json.JsonDocument.Parse(schema);
        var properties = doc.RootElement.GetProperty("properties");
        using var line = System.Text.Json.JsonDocument.Parse(TrajectoryJsonl.Format(Sample()));
        foreach (var property in line.RootElement.EnumerateObject())
        {
            Assert.True(properties.TryGetProperty(property.Name, out _), $"schema lacks \"{property.Name}\"");
        }

        var required = doc.RootElement.GetProperty("required").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(["id", "task", "steps"], required);
        Assert.Equal([TrajectoryJsonl.SchemaId, TrajectoryJsonl.SchemaIdV1], properties.GetProperty("schema").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
    }
}
