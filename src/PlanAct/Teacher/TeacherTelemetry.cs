using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace PlanAct.Teacher;

/// <summary>
/// PlanAct's traces and metrics, under the one name <see cref="Name"/>: spans for a pipeline run, its stages and every
/// teacher call (the Microsoft.Extensions.AI OpenTelemetry layer, GenAI conventions, no message content), and counters
/// of answers, tokens and dollars by stage and model. They cost nothing until a listener (an OpenTelemetry exporter,
/// <c>--otel</c>) subscribes.
/// </summary>
internal static class TeacherTelemetry
{
    public const string Name = "PlanAct";

    public static ActivitySource Source { get; } = new(Name);

    private static readonly Meter Meter = new(Name);

    private static readonly Counter<long> Answers = Meter.CreateCounter<long>("planact.teacher.answers", "{answer}", "Teacher answers by stage, model and where they came from (sent, batch, ledger).");

    private static readonly Counter<long> Tokens = Meter.CreateCounter<long>("planact.teacher.tokens", "{token}", "Tokens paid for, by stage, model and direction (input, output).");

    private static readonly Counter<double> Dollars = Meter.CreateCounter<double>("planact.teacher.cost", "USD", "Dollars spent at the price table, by stage and model (unknown prices count nothing).");

    internal static void RecordSent(string stage, string model, long inputTokens, long outputTokens, decimal? dollars, bool batch)
    {
        var origin = new KeyValuePair<string, object?>("planact.origin", batch ? "batch" : "sent");
        Answers.Add(1, Stage(stage), Model(model), origin);
        Tokens.Add(inputTokens, Stage(stage), Model(model), new("planact.direction", "input"));
        Tokens.Add(outputTokens, Stage(stage), Model(model), new("planact.direction", "output"));
        if (dollars is { } cost)
        {
            Dollars.Add((double)cost, Stage(stage), Model(model));
        }
    }

    internal static void RecordReused(string stage, string model) => Answers.Add(1, Stage(stage), Model(model), new("planact.origin", "ledger"));

    private static KeyValuePair<string, object?> Stage(string stage) => new("planact.stage", stage);

    private static KeyValuePair<string, object?> Model(string model) => new("gen_ai.request.model", model);
}
