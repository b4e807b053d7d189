using PlanAct.Inspection;
using PlanAct.IO;
using PlanAct.Pipeline;
using PlanAct.Stages;
using PlanAct.Stages.Catalogue;
using PlanAct.Teacher;

namespace PlanAct.Tests.Pipeline;

public class PipelineDefinitionTests
{
    private static string Write(string yaml)
    {
        var path = Path.Combine(TestPaths.TempDir(), "pipeline.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    /// <summary>A node that only declares its place in the graph.</summary>
    private sealed class FakeNode(string name, string[] requires, bool yields = false, bool readsAll = false) : IPipelineNode
    {
        public string Name => name;

        public IReadOnlyList<string> Requires => requires;

        public bool YieldsTrainingData => yields;

        public bool ReadsAllTrainingData => readsAll;

        public void Check(StageOptions options) => options.OnlyThese();

        public string? ExpectedRequests(RunInput input, StageOptions options) => null;

        public bool AsksTeacher(StageOptions options) => false;

        public IReadOnlyList<StageFollower> Follow(PipelineContext context, StageOptions options) => [];

        public Task<NodeResult> RunAsync(PipelineContext context, StageOptions options, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }

    [Fact]
    public void Each_stage_of_the_samples_pipeline_says_how_many_requests_it_will_need()
    {
        var pipeline = PipelineDefinition.Load(Path.Combine(TestPaths.Root, PipelineDefinition.SamplesPath));
        var input = new RunInput(17, 115, new Dictionary<string, int>(), Distribution.Of([]));

        var expected = pipeline.Stages.ToDictionary(s => s.Stage, s => PipelineRegistry.Default.Find(s.Stage)!.ExpectedRequests(input, s.Options));

        Assert.Equal("17 requests (one per trajectory)", expected["annotate"]);
        Assert.Null(expected["act"]);
        Assert.Equal("2 to 6 requests (10 pairs each, until 20 are accepted)", expected["expand"]);
        Assert.Equal("17 requests (one per plan)", expected["classify"]);
        Assert.Equal("at most 17 requests (one per plan labelled with a failure class)", expected["augment"]);
        Assert.StartsWith("98 requests", expected["replan"], StringComparison.Ordinal);
        Assert.Null(expected["dynamic-act"]);
        Assert.Null(expected["export"]);
    }

    [Fact]
    public void The_samples_pipeline_loads_with_paths_relative_to_the_file_and_its_teacher_sections()
    {
        var pipeline = PipelineDefinition.Load(Path.Combine(TestPaths.Root, PipelineDefinition.SamplesPath));

        Assert.Equal("samples", pipeline.Name);
        Assert.Equal(Path.Combine(TestPaths.Samples, "trajectories.jsonl"), pipeline.Inputs["trajectories"]);
        Assert.Equal(Path.Combine(TestPaths.Root, "runs", "samples"), pipeline.RunDir);
        Assert.Equal(["annotate", "act", "expand", "classify", "augment", "replan", "dynamic-act", "export"], PipelineGraph.Order(pipeline, PipelineRegistry.Default).Select(n => n.Name));
        var teacher = pipeline.ApplyTeacher(new TeacherOptions());
        Assert.Equal(2048, teacher.ForStage("annotate").MaxOutputTokens);
        Assert.Equal(8, teacher.Limits.Concurrency);
        Assert.Null(teacher.Model);
    }

    [Fact]
    public void The_graph_puts_requirements_first_and_a_reader_of_all_training_data_last_whatever_the_file_order()
    {
        var registry = new PipelineRegistry([
            new FakeNode("export", [], readsAll: true), new FakeNode("dynamic-act", ["replan"], yields: true),
            new FakeNode("replan", ["annotate"], yields: true), new FakeNode("annotate", [], yields: true), new FakeNode("inspect", [])]);
        var pipeline = PipelineDefinition.Load(Write("stages:\n  export: {}\n  dynamic-act: {}\n  inspect: {}\n  replan: {}\n  annotate: {}\n"));

        var order = PipelineGraph.Order(pipeline, registry).Select(n => n.Name).ToList();

        // Ties go by registry order: export comes first there, so it runs as soon as the training data is made.
        Assert.Equal(["annotate", "replan", "dynamic-act", "export", "inspect"], order);
    }

    [Theory]
    [InlineData("stages:\n  act: {}\n", "stages.act needs stage annotate: add it to stages:")]
    [InlineData("stages:\n  annotat: {}\n", "stages.annotat: unknown stage (known: annotate, act, expand, classify, augment, replan, dynamic-act, export)")]
    [InlineData("stages:\n  annotate: {}\n  expand: {}\n", "stages.expand.options.count: say how many synthetic plans to accept")]
    [InlineData("stages:\n  annotate: {}\n  expand:\n    options: { count: 5, similarity: 1.5 }\n", "stages.expand.options.similarity: \"1.5\" is not a number more than 0 and at most 1")]
    [InlineData("stages:\n  annotate: {}\n  classify: {}\n", "stages.classify.options.classes: name the failure classes file")]
    [InlineData("stages:\n  augment: {}\n", "stages.augment needs stage classify")]
    [InlineData("stages:\n  export:\n    options: { formats: [openai-chat, csv] }\n", "stages.export.options.formats: unknown format \"csv\"")]
    [InlineData("stages:\n  annotate:\n    options: { max_page_tokens: -3 }\n", "stages.annotate.options.max_page_tokens: \"-3\" is not a whole number of at least 1")]
    [InlineData("stages:\n  export:\n    options: { with_reasoning: maybe }\n", "stages.export.options.with_reasoning: \"maybe\" is not true or false")]
    [InlineData("stages:\n  export:\n    options: { profile: plan-and-action }\n", "stages.export.options.profile: \"plan-and-action\" is neither a built-in profile (planact, plan-and-act) nor a profile file")]
    [InlineData("stages: {}\n", "stages: name at least one stage to run")]
    [InlineData("stages:\n  annotate: {}\nteacher:\n  options: { a: 1 }\n", "teacher.options: options belong to a stage")]
    public void A_bad_pipeline_is_an_input_error_naming_the_file_and_the_key(string yaml, string message)
    {
        var path = Write(yaml);

        var error = Assert.Throws<InputException>(() =>
        {
            var pipeline = PipelineDefinition.Load(path);
            PipelineGraph.Order(pipeline, PipelineRegistry.Default);
            pipeline.ApplyTeacher(new TeacherOptions());
        });

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(path, error.Location.File);
    }

    [Fact]
    public void The_teacher_ledger_of_a_pipeline_is_relative_to_the_file_like_its_other_paths()
    {
        var path = Write("teacher:\n  ledger: state/ledger.db\nstages:\n  annotate: {}\n");

        var teacher = PipelineDefinition.Load(path).ApplyTeacher(new TeacherOptions());

        Assert.Equal(Path.Combine(Path.GetDirectoryName(path)!, "state", "ledger.db"), teacher.LedgerPath);
    }

    [Fact]
    public void Unknown_top_level_keys_are_errors_with_their_line()
    {
        var path = Write("name: x\nstagez:\n  annotate: {}\n");

        var error = Assert.Throws<InputException>(() => PipelineDefinition.Load(path));

        Assert.Equal(2, error.Location.Line);
    }

    [Fact]
    public void A_teacher_configuration_file_refuses_stage_options()
    {
        var path = Write("stages:\n  annotate: { model: m, options: { max_page_tokens: 5 } }\n");

        var error = Assert.Throws<InputException>(() => TeacherConfigFile.Apply(new TeacherOptions(), path));

        Assert.Contains("stage options belong in a pipeline file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Stage_options_read_lists_single_values_and_relative_paths()
    {
        var path = Write("stages:\n  export:\n    options: { formats: sharegpt, max_tokens: 100, with_reasoning: true }\n");
        var options = PipelineDefinition.Load(path).Stages.Single().Options;

        Assert.Equal(["sharegpt"], options.Strings("formats"));
        Assert.Equal(100, options.Int("max_tokens", 0));
        Assert.True(options.Bool("with_reasoning", false));
        Assert.Null(options.PathOf("examples"));
    }
}

public class ShardAndReasonTests
{
    [Theory]
    [InlineData("1/1", 1, 1)]
    [InlineData("3/4", 3, 4)]
    public void Shards_parse(string text, int index, int count)
    {
        var shard = Shard.TryParse(text)!;

        Assert.Equal((index, count), (shard.Index, shard.Count));
        Assert.Equal(text, shard.ToString());
    }

    [Theory]
    [InlineData("0/4")]
    [InlineData("5/4")]
    [InlineData("1/0")]
    [InlineData("-1/2")]
    [InlineData("1")]
    [InlineData("1/2/3")]
    [InlineData(" 1/2")]
    [InlineData("a/b")]
    public void Bad_shards_do_not_parse(string text) => Assert.Null(Shard.TryParse(text));

    [Fact]
    public void Shards_split_ids_into_disjoint_parts_that_cover_them_all_the_same_way_every_time()
    {
        var ids = Enumerable.Range(0, 2000).Select(i => $"traj-{i}").ToList();
        var shards = Enumerable.Range(1, 4).Select(i => new Shard(i, 4)).ToList();

        var parts = shards.Select(s => ids.Where(s.Contains).ToList()).ToList();

        Assert.Equal(ids.Count, parts.Sum(p => p.Count));
        Assert.Equal(ids.Order(), parts.SelectMany(p => p).Order());
        Assert.All(parts, p => Assert.InRange(p.Count, 400, 600));

        // FNV-1a of "a" is a published constant: the hash does not depend on the runtime or the machine.
        Assert.Equal(0xaf63dc4c8601ec8cUL, Shard.StableHash("a"));
    }

    [Fact]
    public void Reasons_are_counted_with_numbers_folded_and_long_texts_cut()
    {
        var counts = new ReasonCounts();
        counts.Add("step 2 has no actions");
        counts.Add("step 15 has   no actions");
        counts.Add("Action 3 is not assigned to any step");
        counts.Add(new string('x', 500));

        var snapshot = counts.Snapshot();

        Assert.Equal(2, snapshot["step N has no actions"]);
        Assert.Equal(1, snapshot["Action N is not assigned to any step"]);
        Assert.Equal("step N has no actions", snapshot.Keys.First());
        Assert.Contains(snapshot.Keys, k => k.Length == 120 && k.EndsWith('…'));
    }
}
