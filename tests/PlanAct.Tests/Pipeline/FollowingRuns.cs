using System.Text.Json;
using PlanAct.Loopback;
using PlanAct.Pipeline;

namespace PlanAct.Tests.Pipeline;

/// <summary>What the tests of stages following others in a pipeline run share: the input, the pipeline, the teacher.</summary>
internal static class FollowingRuns
{
    public static readonly TimeSpan Bound = TimeSpan.FromMinutes(3);

    /// <summary>A pipeline over the samples with their first trajectory again (a repeated id) and a line that is not JSON.</summary>
    /// <param name="dir"></param>
    /// <param name="stages">The YAML under <c>stages:</c>, each line indented by two.</param>
    public static PipelineDefinition Pipeline(string dir, string stages)
    {
        var lines = File.ReadAllLines(Path.Combine(TestPaths.Samples, "trajectories.jsonl"));
        var input = Path.Combine(dir, "trajectories.jsonl");
        File.WriteAllLines(input, [.. lines[..5], "{\"schema\": \"planact/trajectory@2\", \"id\": ", .. lines[5..], lines[0]]);
        var path = Path.Combine(dir, "pipeline.yaml");
        File.WriteAllText(path, $"name: follow\ninputs:\n  trajectories: {input}\nrun_dir: {Path.Combine(dir, "run")}\nskip_invalid: true\nstages:\n{stages}");
        return PipelineDefinition.Load(path);
    }

    /// <summary>Valid answers (with reasoning for <paramref name="cot"/>), but every replan of a makeup-sets task grounds the wrong actions: replan quarantines those trajectories.</summary>
    public static LoopbackReply Answer(ReceivedRequest request, bool cot = false) =>
        ScriptedReplans.IsReplan(request) && request.Body["messages"]!.ToJsonString().Contains("makeup sets", StringComparison.Ordinal)
            ? new LoopbackReply.Answer(ScriptedReplans.WrongRange(ScriptedReplans.Remaining(request).Last))
            : cot && (ScriptedReplans.IsReplan(request) || ScriptedPlans.IsRewrite(request)) ? ScriptedReplans.ValidCot(request)
            : ScriptedReplans.ValidForEither(request);

    /// <summary>A statistics file without its seconds, to compare two runs.</summary>
    public static string StatsWithoutTime(string path)
    {
        var stats = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.ReadAllText(path))!;
        stats.Remove("seconds");
        return JsonSerializer.Serialize(stats);
    }
}
