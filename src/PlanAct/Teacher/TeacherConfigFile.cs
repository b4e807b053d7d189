using PlanAct.IO;
using PlanAct.Teacher.Cost;

namespace PlanAct.Teacher;

/// <summary>
/// The YAML teacher configuration: a <c>teacher:</c> section (endpoint, model, limits, defaults for every stage),
/// <c>stages:</c> with per-stage overrides, and <c>prices:</c> over the default price table. API keys do not belong
/// in it; they come from the environment or a flag.
/// </summary>
internal static class TeacherConfigFile
{
    /// <summary>The options of the file at <paramref name="path"/> laid over <paramref name="options"/>.</summary>
    public static TeacherOptions Apply(TeacherOptions options, string path)
    {
        var file = Yaml.Read<TeacherConfigSection>(path, "teacher configuration");
        if (file.Stages?.FirstOrDefault(s => s.Value?.Options is not null) is { Key: { } name })
        {
            throw new InputException(new SourceLocation(path), $"stages.{name}.options: stage options belong in a pipeline file (planact run), not in a teacher configuration");
        }

        return Apply(options, file, path);
    }

    /// <summary>The teacher part of a configuration or pipeline file laid over <paramref name="options"/>.</summary>
    internal static TeacherOptions Apply(TeacherOptions options, TeacherConfigSection file, string path)
    {
        var teacher = file.Teacher ?? new TeacherSection();
        if (teacher.Options is not null)
        {
            throw new InputException(new SourceLocation(path), "teacher.options: options belong to a stage, under stages.<name>.options");
        }

        if (teacher.ApiKey is not null)
        {
            throw new InputException(new SourceLocation(path), "api_key does not belong in a configuration file; set OPENAI_API_KEY / AZURE_OPENAI_API_KEY in the environment");
        }

        var stages = new Dictionary<string, StageSettings>(options.Stages, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, stage) in file.Stages ?? [])
        {
            stages[name] = stage?.ToSettings() ?? new StageSettings();
        }

        return options with
        {
            Provider = teacher.Provider is { } provider ? ParseProvider(provider, path) : options.Provider,
            BaseUrl = teacher.BaseUrl is { } url ? ParseUrl(url, path) : options.BaseUrl,
            Model = teacher.Model ?? options.Model,
            Timeout = teacher.TimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : options.Timeout,
            Retry = teacher.MaxRetries is { } retries ? options.Retry with { MaxAttempts = retries + 1 } : options.Retry,
            Limits = options.Limits with
            {
                Concurrency = teacher.Concurrency ?? options.Limits.Concurrency,
                RequestsPerMinute = teacher.Rpm ?? options.Limits.RequestsPerMinute,
                TokensPerMinute = teacher.Tpm ?? options.Limits.TokensPerMinute,
            },
            Defaults = (teacher.ToSettings() with { Model = null }).Over(options.Defaults),
            Stages = stages,
            Prices = file.Prices is { } prices ? options.Prices.With(prices, path) : options.Prices,
            LedgerPath = teacher.Ledger ?? options.LedgerPath,
        };
    }

    public static TeacherProvider ParseProvider(string value, string source) => value.ToLowerInvariant() switch
    {
        "openai" => TeacherProvider.OpenAI,
        "azure" => TeacherProvider.Azure,
        "ollama" => TeacherProvider.Ollama,
        _ => throw new InputException(new SourceLocation(source), $"unknown provider \"{value}\" (use openai, azure or ollama)"),
    };

    private static Uri ParseUrl(string value, string source) =>
        TeacherOptions.TryParseUrl(value) ?? throw new InputException(new SourceLocation(source), $"base_url \"{value}\" is not an http(s) URL");

    /// <summary>The sections a teacher configuration has; a pipeline file has them too, and more.</summary>
    internal class TeacherConfigSection
    {
        public TeacherSection? Teacher { get; set; }

        public Dictionary<string, StageSection?>? Stages { get; set; }

        public PriceSection? Prices { get; set; }
    }

    internal class StageSection
    {
        public string? Model { get; set; }

        public float? Temperature { get; set => field = Yaml.Within(value, 0, 2, "temperature"); }

        public int? MaxOutputTokens { get; set => field = Yaml.AtLeast(value, 1, "max_output_tokens"); }

        public long? Seed { get; set; }

        public int? Attempts { get; set => field = Yaml.AtLeast(value, 1, "attempts"); }

        /// <summary>What the stage itself is asked to do (pipeline files only): read by the stage's pipeline node.</summary>
        public Dictionary<string, object?>? Options { get; set; }

        public StageSettings ToSettings() => new() { Model = Model, Temperature = Temperature, MaxOutputTokens = MaxOutputTokens, Seed = Seed, Attempts = Attempts };
    }

    internal sealed class TeacherSection : StageSection
    {
        public string? Provider { get; set; }

        public string? BaseUrl { get; set; }

        public string? ApiKey { get; set; }

        public double? TimeoutSeconds { get; set => field = Yaml.Positive(value, "timeout_seconds"); }

        public int? MaxRetries { get; set => field = Yaml.AtLeast(value, 0, "max_retries"); }

        public int? Concurrency { get; set => field = Yaml.AtLeast(value, 1, "concurrency"); }

        public int? Rpm { get; set => field = Yaml.AtLeast(value, 1, "rpm"); }

        public long? Tpm { get; set => field = Yaml.AtLeast(value, 1, "tpm"); }

        public string? Ledger { get; set; }
    }
}
