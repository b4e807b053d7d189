using System.Text.Json.Serialization;

namespace PlanAct.Bench;

[JsonSerializable(typeof(DatasetManifest))]
[JsonSerializable(typeof(MeasurementResult))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
