namespace PlanAct.Teacher.Batch;

/// <summary>How requests go through the Batch API: endpoint, file limits, resubmission rounds and polling.</summary>
internal sealed record BatchSettings
{
    /// <summary>The OpenAI endpoint for chat completions; request lines and the batch itself name it.</summary>
    public const string OpenAIEndpoint = "/v1/chat/completions";

    /// <summary>Azure OpenAI's endpoint for chat completions (the deployment goes in each line's <c>model</c>).</summary>
    public const string AzureEndpoint = "/chat/completions";

    public string Endpoint { get; init; } = OpenAIEndpoint;

    public string CompletionWindow { get; init; } = "24h";

    /// <summary>The provider's limit of requests per input file.</summary>
    public int MaxRequestsPerFile { get; init; } = 50_000;

    /// <summary>The provider's limit of bytes per input file (200 MB).</summary>
    public long MaxBytesPerFile { get; init; } = 200L * 1000 * 1000;

    /// <summary>How many batches a request may be sent in before it counts as failed for good.</summary>
    public int MaxRounds { get; init; } = 3;

    /// <summary>The first wait between polls; it doubles up to <see cref="MaxPollInterval"/> while nothing finishes.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan MaxPollInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Where request files are written before upload; a <c>batches</c> folder beside the ledger when null.</summary>
    public string? WorkDirectory { get; init; }

    public BatchSettings Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Endpoint);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRequestsPerFile, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBytesPerFile, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRounds, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(PollInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPollInterval, PollInterval);
        return this;
    }
}
