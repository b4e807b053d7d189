namespace PlanAct.Teacher.Limits;

/// <summary>How hard the teacher may be driven. Null rates mean no limit of that kind.</summary>
internal sealed record TeacherLimits
{
    /// <summary>Requests in flight at once.</summary>
    public int Concurrency { get; init; } = 8;

    public int? RequestsPerMinute { get; init; }

    public long? TokensPerMinute { get; init; }

    /// <summary>Each of <paramref name="shards"/> processes' part of the rates, so together they keep to them (at least 1 each).</summary>
    public TeacherLimits SharedAmong(int shards) => this with
    {
        RequestsPerMinute = RequestsPerMinute is { } rpm ? Math.Max(1, rpm / shards) : null,
        TokensPerMinute = TokensPerMinute is { } tpm ? Math.Max(1, tpm / shards) : null,
    };

    /// <summary>What a request is assumed to produce when it sets no output limit (for the token reservation).</summary>
    public int AssumedOutputTokens { get; init; } = 1024;
}
