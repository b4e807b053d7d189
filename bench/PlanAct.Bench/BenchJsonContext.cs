using System.Text.Json.Serialization;

namespace PlanAct.Bench;

[JsonSerializable(typeof(DatasetManifest))]
[JsonSerializable(typeof(MeasurementResult))]
[JsonSerializable(typeof(DedupResult))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
