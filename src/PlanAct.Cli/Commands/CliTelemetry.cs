using System.CommandLine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using PlanAct.Teacher;

namespace PlanAct.Cli.Commands;

/// <summary>
/// The opt-in OpenTelemetry exporter (<c>--otel console|otlp</c> or <c>PLANACT_OTEL</c>): PlanAct's spans, metrics and
/// structured logs, every one carrying the run id as a resource attribute. OTLP takes its endpoint and protocol from the
/// standard <c>OTEL_EXPORTER_OTLP_*</c> variables. Without it nothing listens and nothing is exported.
/// </summary>
internal sealed class CliTelemetry : IDisposable
{
    public const string Variable = "PLANACT_OTEL";

    private readonly TracerProvider? _traces;
    private readonly MeterProvider? _metrics;
    private readonly ILoggerFactory _logs;

    private CliTelemetry(TracerProvider? traces, MeterProvider? metrics, ILoggerFactory logs)
    {
        _traces = traces;
        _metrics = metrics;
        _logs = logs;
    }

    public static Option<string?> CreateOption() => new("--otel")
    {
        Description = $"Export traces, metrics and logs (teacher calls, stages, the run id): console, or otlp (to OTEL_EXPORTER_OTLP_ENDPOINT or localhost:4317). Env {Variable}.",
    };

    public ILogger CreateLogger(string category) => _logs.CreateLogger(category);

    public static CliTelemetry Start(string? exporter, string runId)
    {
        exporter ??= CliConsole.Current.Environment(Variable);
        if (string.IsNullOrEmpty(exporter))
        {
            return new CliTelemetry(null, null, NullLoggerFactory.Instance);
        }

        var otlp = exporter.ToLowerInvariant() switch
        {
            "console" => false,
            "otlp" => true,
            _ => throw new CommandLineException($"--otel \"{exporter}\": use console or otlp"),
        };
        var resource = ResourceBuilder.CreateDefault()
            .AddService("planact", serviceVersion: typeof(CliTelemetry).Assembly.GetName().Version?.ToString())
            .AddAttributes([new("planact.run_id", runId)]);
        var traces = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddSource(TeacherTelemetry.Name);
        var metrics = Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource).AddMeter(TeacherTelemetry.Name);
        var logs = LoggerFactory.Create(builder => builder.AddOpenTelemetry(options =>
        {
            options.SetResourceBuilder(resource);
            options.IncludeScopes = true;
            options.IncludeFormattedMessage = true;
            _ = otlp ? options.AddOtlpExporter() : options.AddConsoleExporter();
        }));
        return otlp
            ? new CliTelemetry(traces.AddOtlpExporter().Build(), metrics.AddOtlpExporter().Build(), logs)
            : new CliTelemetry(traces.AddConsoleExporter().Build(), metrics.AddConsoleExporter().Build(), logs);
    }

    /// <summary>Flushes what is buffered (metrics are exported once more at the end).</summary>
    public void Dispose()
    {
        _traces?.Dispose();
        _metrics?.Dispose();
        _logs.Dispose();
    }
}
