using System.CommandLine;
using System.Globalization;
using PlanAct.Stages;
using PlanAct.Teacher;
using PlanAct.Teacher.Batch;
using PlanAct.Teacher.Cost;
using PlanAct.Teacher.Ledger;

namespace PlanAct.Cli.Commands;

/// <summary>The teacher flags every teacher-driven command takes, and how they resolve against environment and YAML.</summary>
internal sealed class TeacherArguments
{
    private readonly Option<string?> _config = new("--config") { Description = "YAML configuration: teacher:, per-stage stages:, prices: (see README)." };
    private readonly Option<string?> _provider = new("--provider") { Description = "openai (also any OpenAI-compatible server), azure or ollama." };
    private readonly Option<string?> _baseUrl = new("--base-url") { Description = "OpenAI-compatible endpoint, e.g. http://localhost:8000/v1 (env PLANACT_BASE_URL; Azure: AZURE_OPENAI_ENDPOINT)." };
    private readonly Option<string?> _apiKey = new("--api-key") { Description = "API key (env OPENAI_API_KEY or AZURE_OPENAI_API_KEY). Never stored or printed." };
    private readonly Option<string?> _model = new("--model") { Description = "Teacher model, or the Azure deployment (env PLANACT_MODEL / AZURE_OPENAI_DEPLOYMENT)." };
    private readonly Option<int?> _concurrency = new("--concurrency") { Description = "Requests in flight at once. [default: 8]" };
    private readonly Option<int?> _rpm = new("--rpm") { Description = "Requests per minute at most." };
    private readonly Option<long?> _tpm = new("--tpm") { Description = "Tokens per minute at most (prompt + output limit reserved, settled with real usage)." };
    private readonly Option<double?> _timeout = new("--timeout") { Description = "Seconds before one request is abandoned and retried. [default: 120]" };
    private readonly Option<string?> _ledger = new("--ledger") { Description = "The SQLite ledger of requests and answers. [default: .planact/ledger.db]" };
    private readonly Option<bool> _refresh = new("--refresh") { Description = "Ask again even when the ledger holds an answer." };
    private readonly Option<bool> _dryRun = new("--dry-run") { Description = "Build every request, count tokens, print the cost estimate; send nothing, write no output and no ledger." };
    private readonly Option<bool> _batch = new("--batch") { Description = "Send through the Batch API (half price, slower) and wait for the whole cycle." };
    private readonly Option<double?> _batchPoll = new("--batch-poll") { Description = "Seconds between Batch API status checks at first, doubling up to 5 minutes. [default: 15]" };
    private readonly Option<string?> _otel = CliTelemetry.CreateOption();
    private readonly Option<decimal?> _maxCost = new("--max-cost") { Description = "Stop cleanly before the spending on these stages could pass this many dollars, counting what earlier runs spent (the ledger's answers); run again to resume." };
    private readonly Option<decimal?> _maxCostThisRun = new("--max-cost-this-run") { Description = "Stop cleanly before this process's spending could pass this many dollars (earlier runs not counted)." };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _config, _provider, _baseUrl, _apiKey, _model, _concurrency, _rpm, _tpm, _timeout, _ledger, _refresh, _dryRun, _batch, _batchPoll, _maxCost, _maxCostThisRun, _otel })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The telemetry exporter the command line (or PLANACT_OTEL) asks for, if any; dispose it at the end to flush.</summary>
    public CliTelemetry Telemetry(ParseResult parse, string runId) => CliTelemetry.Start(parse.GetValue(_otel), runId);

    public TeacherMode Mode(ParseResult parse) =>
        (parse.GetValue(_dryRun), parse.GetValue(_batch)) switch
        {
            (true, true) => throw new CommandLineException("--dry-run and --batch exclude each other"),
            (true, false) => TeacherMode.DryRun,
            (false, true) => TeacherMode.Batch,
            _ => TeacherMode.Online,
        };

    public BatchSettings BatchSettings(ParseResult parse) => parse.GetValue(_batchPoll) is { } seconds
        ? seconds > 0 ? new BatchSettings { PollInterval = TimeSpan.FromSeconds(seconds), MaxPollInterval = TimeSpan.FromSeconds(Math.Max(seconds, 300)) } : throw new CommandLineException("--batch-poll must be more than 0")
        : new BatchSettings();

    /// <summary>The run's teacher session for <paramref name="stages"/>; a dry run's only reads the ledger, so it writes nothing.</summary>
    public Task<TeacherSession> OpenSessionAsync(ParseResult parse, TeacherOptions options, TeacherMode mode, IReadOnlyCollection<string> stages, CancellationToken cancellationToken) =>
        mode == TeacherMode.DryRun
            ? TeacherSession.OpenForDryRunAsync(options, cancellationToken)
            : TeacherSession.OpenAsync(options, Budget(parse, stages), cancellationToken: cancellationToken);

    /// <summary>How the ledger is named on the console: its path, and whether this run only reads it.</summary>
    public static string Describe(TeacherLedger ledger) => ledger.Writes ? ledger.Path : $"{ledger.Path} (read only)";

    /// <summary>The spending limit of a run of <paramref name="stages"/>: --max-cost counts earlier runs' spending on them, --max-cost-this-run does not.</summary>
    public CostBudget? Budget(ParseResult parse, IReadOnlyCollection<string> stages) =>
        (parse.GetValue(_maxCost), parse.GetValue(_maxCostThisRun)) switch
        {
            ({ }, { }) => throw new CommandLineException("--max-cost and --max-cost-this-run exclude each other"),
            ({ } max, null) when max <= 0 => throw new CommandLineException("--max-cost must be more than 0"),
            (null, { } max) when max <= 0 => throw new CommandLineException("--max-cost-this-run must be more than 0"),
            ({ } max, null) => new CostBudget(max, stages.ToHashSet(StringComparer.Ordinal)),
            (null, { } max) => new CostBudget(max),
            _ => null,
        };

    /// <summary>Flags over environment over the YAML file (over a pipeline file's teacher settings) over defaults.</summary>
    public TeacherOptions Resolve(ParseResult parse, Func<string, string?>? environment = null, Func<TeacherOptions, TeacherOptions>? pipelineTeacher = null)
    {
        var options = pipelineTeacher?.Invoke(new TeacherOptions()) ?? new TeacherOptions();
        if (parse.GetValue(_config) is { } config)
        {
            options = TeacherConfigFile.Apply(options, config);
        }

        var flags = options with
        {
            Provider = parse.GetValue(_provider) is { } provider ? TeacherConfigFile.ParseProvider(provider, "--provider") : null,
            BaseUrl = parse.GetValue(_baseUrl) is { } url ? ParseUrl(url) : null,
            ApiKey = parse.GetValue(_apiKey),
            Model = parse.GetValue(_model),
        };

        // Environment fills what the flags left unset; the YAML values come last.
        var resolved = flags.WithEnvironment(environment ?? CliConsole.Current.Environment);
        resolved = resolved with
        {
            Provider = resolved.Provider ?? options.Provider,
            BaseUrl = resolved.BaseUrl ?? options.BaseUrl,
            Model = resolved.Model ?? options.Model,
            Timeout = parse.GetValue(_timeout) is { } seconds ? TimeSpan.FromSeconds(seconds) : options.Timeout,
            Limits = options.Limits with
            {
                Concurrency = parse.GetValue(_concurrency) ?? options.Limits.Concurrency,
                RequestsPerMinute = parse.GetValue(_rpm) ?? options.Limits.RequestsPerMinute,
                TokensPerMinute = parse.GetValue(_tpm) ?? options.Limits.TokensPerMinute,
            },
            LedgerPath = parse.GetValue(_ledger) ?? options.LedgerPath,
            Refresh = parse.GetValue(_refresh),
        };
        if (resolved.Limits.Concurrency <= 0 || resolved.Limits.RequestsPerMinute <= 0 || resolved.Limits.TokensPerMinute <= 0)
        {
            throw new CommandLineException("--concurrency, --rpm and --tpm must be more than 0");
        }

        return resolved;
    }

    private static Uri ParseUrl(string value) =>
        TeacherOptions.TryParseUrl(value) ?? throw new CommandLineException($"--base-url \"{value}\" is not an http(s) URL");

    public static string Dollars(decimal? value) => value is { } v ? "$" + v.ToString(v < 1 ? "0.0000" : "0.00", CultureInfo.InvariantCulture) : "price unknown";
}

/// <summary>The command line is inconsistent in a way the parser cannot see.</summary>
internal sealed class CommandLineException(string message) : Exception(message);
