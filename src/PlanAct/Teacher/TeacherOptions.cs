using PlanAct.Teacher.Cost;
using PlanAct.Teacher.Limits;

namespace PlanAct.Teacher;

/// <summary>Which kind of endpoint the teacher is.</summary>
internal enum TeacherProvider
{
    /// <summary>api.openai.com, or any OpenAI-compatible base URL (vLLM, llama.cpp, Ollama's /v1, Together, DeepSeek).</summary>
    OpenAI,

    /// <summary>Azure OpenAI: an endpoint and a deployment name, which stands in for the model.</summary>
    Azure,

    /// <summary>Ollama's native API through OllamaSharp.</summary>
    Ollama,
}

/// <summary>How a stage asks the teacher: model and sampling parameters, and how many answers it may reject.</summary>
internal sealed record StageSettings
{
    /// <summary>The model (Azure: the deployment) for this stage; the teacher's model when null.</summary>
    public string? Model { get; init; }

    public float? Temperature { get; init; }

    public int? MaxOutputTokens { get; init; }

    public long? Seed { get; init; }

    /// <summary>Answers asked for before the item is quarantined (re-asks included).</summary>
    public int? Attempts { get; init; }

    /// <summary>The attempt budget when nothing sets one.</summary>
    public const int DefaultAttempts = 3;

    /// <summary>This stage's settings, with what it leaves unset taken from <paramref name="fallback"/>.</summary>
    public StageSettings Over(StageSettings fallback) => new()
    {
        Model = Model ?? fallback.Model,
        Temperature = Temperature ?? fallback.Temperature,
        MaxOutputTokens = MaxOutputTokens ?? fallback.MaxOutputTokens,
        Seed = Seed ?? fallback.Seed,
        Attempts = Attempts ?? fallback.Attempts,
    };
}

/// <summary>
/// Where the teacher is and how to drive it. Precedence, highest first: command-line flags, environment variables
/// (<c>PLANACT_BASE_URL</c>, <c>OPENAI_API_KEY</c>, <c>PLANACT_MODEL</c>, <c>AZURE_OPENAI_ENDPOINT</c>,
/// <c>AZURE_OPENAI_API_KEY</c>, <c>AZURE_OPENAI_DEPLOYMENT</c>), the YAML configuration, built-in defaults.
/// </summary>
internal sealed record TeacherOptions
{
    /// <summary>Null: Azure when only an Azure endpoint is known, OpenAI otherwise.</summary>
    public TeacherProvider? Provider { get; init; }

    /// <summary>An OpenAI-compatible endpoint (vLLM, Ollama's /v1, llama.cpp); null for api.openai.com. For Azure, its endpoint.</summary>
    public Uri? BaseUrl { get; init; }

    /// <summary>The API key. Never logged, stored in the ledger or shown in an error.</summary>
    public string? ApiKey { get; init; }

    /// <summary>The default model (Azure: deployment) of every stage.</summary>
    public string? Model { get; init; }

    /// <summary>Per-request timeout, applied by the SDK's transport.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);

    public RetryPolicy Retry { get; init; } = new();

    public TeacherLimits Limits { get; init; } = new();

    /// <summary>Settings every stage starts from.</summary>
    public StageSettings Defaults { get; init; } = new() { Temperature = 0, Attempts = StageSettings.DefaultAttempts };

    /// <summary>Per-stage overrides, by stage name (<c>annotate</c>, <c>act</c>, …).</summary>
    public IReadOnlyDictionary<string, StageSettings> Stages { get; init; } = new Dictionary<string, StageSettings>();

    public PriceTable Prices { get; init; } = PriceTable.Default;

    /// <summary>The ledger database; <see cref="Ledger.TeacherLedger.DefaultPath"/> when null.</summary>
    public string? LedgerPath { get; init; }

    /// <summary>Send again even when the ledger already holds an answer.</summary>
    public bool Refresh { get; init; }

    public TeacherProvider EffectiveProvider => Provider ?? TeacherProvider.OpenAI;

    /// <summary>A teacher is configured when a model is named (local servers may need no key).</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Model);

    /// <summary>What <paramref name="stage"/> uses: its overrides over the defaults, the model filled in.</summary>
    public StageSettings ForStage(string stage) =>
        (Stages.TryGetValue(stage, out var own) ? own.Over(Defaults) : Defaults).Over(new StageSettings { Model = Model, Attempts = StageSettings.DefaultAttempts });

    /// <summary>An absolute http(s) URL, or null when <paramref name="value"/> is not one.</summary>
    public static Uri? TryParseUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : null;

    /// <summary>Fills what is unset from the environment; Azure variables select Azure when no base URL is set.</summary>
    public TeacherOptions WithEnvironment(Func<string, string?> environment)
    {
        var azureEndpoint = UrlVariable("AZURE_OPENAI_ENDPOINT", environment);
        var provider = Provider ?? (BaseUrl is null && environment("PLANACT_BASE_URL") is not { Length: > 0 } && azureEndpoint is not null ? TeacherProvider.Azure : null);
        return provider == TeacherProvider.Azure
            ? this with
            {
                Provider = provider,
                BaseUrl = BaseUrl ?? azureEndpoint,
                ApiKey = ApiKey ?? environment("AZURE_OPENAI_API_KEY"),
                Model = Model ?? environment("AZURE_OPENAI_DEPLOYMENT") ?? environment("PLANACT_MODEL"),
            }
            : this with
            {
                BaseUrl = BaseUrl ?? UrlVariable("PLANACT_BASE_URL", environment),
                ApiKey = ApiKey ?? environment("OPENAI_API_KEY"),
                Model = Model ?? environment("PLANACT_MODEL"),
            };
    }

    private static Uri? UrlVariable(string name, Func<string, string?> environment) =>
        environment(name) is { Length: > 0 } value
            ? TryParseUrl(value) ?? throw new IO.InputException(new IO.SourceLocation(name), $"\"{value}\" is not an http(s) URL")
            : null;

    /// <summary>A description safe to print: provider, endpoint and model, the key shown only as present or absent.</summary>
    public override string ToString() =>
        $"{EffectiveProvider} model {Model ?? "(none)"} at {BaseUrl?.ToString() ?? "api.openai.com"}, API key {(string.IsNullOrEmpty(ApiKey) ? "not set" : "set")}"
        + $", {Limits.Concurrency} in flight{(Limits.RequestsPerMinute is { } rpm ? $", {rpm} rpm" : "")}{(Limits.TokensPerMinute is { } tpm ? $", {tpm} tpm" : "")}";
}
