using System.Text.Json.Serialization;

namespace PlanAct.Bench;

[JsonSerializable(typeof(DatasetManifest))]
[JsonSerializable(typeof(MeasurementResult))]
[JsonSerializable(typeof(DedupResult))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;

/// <summary>The <c>--json</c> outputs of the teacher and pipeline benchmarks, in snake_case.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(TeacherBenchJson))]
[JsonSerializable(typeof(PipelineBenchJson))]
internal sealed partial class BenchReportJsonContext : JsonSerializerContext;
