using System.Text.Json.Serialization;
using PlanAct.IO;

namespace PlanAct.Inspection;

/// <summary>Minimum, median and maximum (and 95th percentile) of a set of counts.</summary>
internal sealed record Distribution(
    [property: JsonPropertyName("min")] int Min,
    [property: JsonPropertyName("median")] double Median,
    [property: JsonPropertyName("p95")] int P95,
    [property: JsonPropertyName("max")] int Max)
{
    public static Distribution Of(IReadOnlyList<int> values)
    {
        if (values.Count == 0)
        {
            return new(0, 0, 0, 0);
        }

        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2.0;
        var p95 = sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(0.95 * sorted.Length) - 1)];
        return new(sorted[0], median, p95, sorted[^1]);
    }
}

internal sealed record PageTokenStats(
    [property: JsonPropertyName("encoding")] string Encoding,
    [property: JsonPropertyName("raw")] Distribution Raw,
    [property: JsonPropertyName("planner_view")] Distribution PlannerView,
    [property: JsonPropertyName("executor_view")] Distribution ExecutorView);

/// <summary>What <c>planact inspect</c> reports about a set of trajectory files.</summary>
internal sealed record InspectReport(
    [property: JsonPropertyName("files")] IReadOnlyList<string> Files,
    [property: JsonPropertyName("trajectories")] int Trajectories,
    [property: JsonPropertyName("steps")] int Steps,
    [property: JsonPropertyName("steps_per_trajectory")] Distribution StepsPerTrajectory,
    [property: JsonPropertyName("sites")] IReadOnlyDictionary<string, int> Sites,
    [property: JsonPropertyName("action_types")] IReadOnlyDictionary<string, int> ActionTypes,
    [property: JsonPropertyName("page_tokens")] PageTokenStats PageTokens,
    [property: JsonPropertyName("problems")] IReadOnlyList<InputProblem> Problems)
{
    public int Errors => Problems.Count(p => p.Severity == InputProblem.Error);

    /// <summary>Trajectories by action grammar.</summary>
    [JsonPropertyName("grammars")]
    public IReadOnlyDictionary<string, int> Grammars { get; init; } = new Dictionary<string, int>();

    /// <summary>Steps by observation kind (missing ones included; page tokens count only the others).</summary>
    [JsonPropertyName("observation_kinds")]
    public IReadOnlyDictionary<string, int> ObservationKinds { get; init; } = new Dictionary<string, int>();

    /// <summary>Steps whose action is not in their grammar's set.</summary>
    [JsonPropertyName("unknown_actions")]
    public int UnknownActions { get; init; }
}
