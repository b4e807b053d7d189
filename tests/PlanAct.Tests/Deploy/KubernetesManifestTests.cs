using PlanAct.Pipeline;
using PlanAct.Stages.Catalogue;
using YamlDotNet.RepresentationModel;

namespace PlanAct.Tests.Deploy;

/// <summary>
/// deploy/kubernetes holds together: the Indexed Job runs the shards the way <c>--shard auto</c> reads them, its pipeline
/// loads and splits by item, and the merge Job joins exactly the outputs that pipeline writes.
/// </summary>
public class KubernetesManifestTests
{
    private static readonly string Folder = Path.Combine(TestPaths.Root, "deploy", "kubernetes");

    private static YamlMappingNode Manifest(string file)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(Folder, file));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static YamlNode At(YamlNode node, params string[] path) =>
        path.Aggregate(node, (current, key) => ((YamlMappingNode)current).Children[new YamlScalarNode(key)]);

    private static string Scalar(YamlNode node, params string[] path) => ((YamlScalarNode)At(node, path)).Value!;

    private static YamlMappingNode Container(YamlNode job) => (YamlMappingNode)((YamlSequenceNode)At(job, "spec", "template", "spec", "containers")).Children.Single();

    private static string Env(YamlNode container, string name) =>
        Scalar(((YamlSequenceNode)At(container, "env")).Children.Single(e => Scalar(e, "name") == name), "value");

    [Fact]
    public void The_shards_job_is_indexed_its_size_is_the_shard_count_and_it_resumes_on_the_same_index()
    {
        var job = Manifest("shards-job.yaml");
        var container = Container(job);
        var args = ((YamlScalarNode)((YamlSequenceNode)At(container, "args")).Children.Single()).Value!;

        Assert.Equal("Indexed", Scalar(job, "spec", "completionMode"));
        Assert.Equal(Scalar(job, "spec", "completions"), Env(container, "PLANACT_SHARDS"));
        Assert.Equal("Never", Scalar(job, "spec", "template", "spec", "restartPolicy")); // what backoffLimitPerIndex requires
        Assert.Equal("Failed", Scalar(job, "spec", "podReplacementPolicy"));
        Assert.Contains("--shard auto", args, StringComparison.Ordinal);
        Assert.Contains("--run-dir /data/shards/$JOB_COMPLETION_INDEX --ledger /data/shards/$JOB_COMPLETION_INDEX/ledger.db", args, StringComparison.Ordinal);
        Assert.Equal("planact-teacher", Scalar(((YamlSequenceNode)At(container, "env")).Children.Single(e => Scalar(e, "name") == "OPENAI_API_KEY"), "valueFrom", "secretKeyRef", "name"));
        Assert.Equal(Scalar(Manifest("storage.yaml"), "metadata", "name"), Scalar(((YamlSequenceNode)At(job, "spec", "template", "spec", "volumes")).Children[0], "persistentVolumeClaim", "claimName"));
    }

    [Fact]
    public async Task The_pipeline_loads_splits_by_item_and_the_merge_job_joins_what_it_writes()
    {
        var dir = TestPaths.TempDir();
        var pipelineFile = Path.Combine(dir, "pipeline.yaml");
        await File.WriteAllTextAsync(pipelineFile, Scalar(Manifest("pipeline.yaml"), "data", "pipeline.yaml"));
        var pipeline = PipelineDefinition.Load(pipelineFile);
        var stages = pipeline.Stages.Select(s => (Definition: StageCatalogue.Default.Find(s.Stage)!, s.Options)).ToList();
        var merged = ((YamlScalarNode)((YamlSequenceNode)At(Container(Manifest("merge-job.yaml")), "args")).Children.Single()).Value!;
        var mergedOutputs = merged[(merged.IndexOf("for output in ", StringComparison.Ordinal) + "for output in ".Length)..merged.IndexOf("; do", StringComparison.Ordinal)].Split(' ');

        Assert.All(stages, s => Assert.True(s.Definition.SplitsByItem, s.Definition.Name));
        Assert.Equal(
            stages.Select(s => s.Definition.Output.FileName(StageOptionValues.Read(s.Options, s.Definition.Options))).Order(StringComparer.Ordinal),
            mergedOutputs.Order(StringComparer.Ordinal));
    }
}
