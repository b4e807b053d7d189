namespace PlanAct.Teacher;

/// <summary>
/// Where the teacher is and how to reach it. Flags win over environment variables
/// (<c>PLANACT_BASE_URL</c>, <c>OPENAI_API_KEY</c>, <c>PLANACT_MODEL</c>).
/// </summary>
public sealed record TeacherOptions
{
    /// <summary>An OpenAI-compatible endpoint (vLLM, Ollama's /v1, llama.cpp); null for api.openai.com.</summary>
    public Uri? BaseUrl { get; init; }

    /// <summary>The API key. Never logged, stored in the ledger or shown in an error.</summary>
    public string? ApiKey { get; init; }

    public string? Model { get; init; }

    /// <summary>Per-request timeout, applied by the SDK's transport.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The ledger database; <see cref="Ledger.TeacherLedger.DefaultPath"/> when null.</summary>
    public string? LedgerPath { get; init; }

    /// <summary>Send again even when the ledger already holds an answer.</summary>
    public bool Refresh { get; init; }

    /// <summary>A teacher is configured when a model is named (local servers may need no key).</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Model);

    /// <summary>Fills what the flags left unset from the environment.</summary>
    public TeacherOptions WithEnvironment(Func<string, string?> environment) => this with
    {
        BaseUrl = BaseUrl ?? (environment("PLANACT_BASE_URL") is { Length: > 0 } url ? new Uri(url) : null),
        ApiKey = ApiKey ?? environment("OPENAI_API_KEY"),
        Model = Model ?? environment("PLANACT_MODEL"),
    };

    /// <summary>A description safe to print: the endpoint and model, the key shown only as present or absent.</summary>
    public override string ToString() =>
        $"model {Model ?? "(none)"} at {BaseUrl?.ToString() ?? "api.openai.com"}, API key {(string.IsNullOrEmpty(ApiKey) ? "not set" : "set")}";
}
