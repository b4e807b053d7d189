namespace PlanAct.Teacher.Limits;

/// <summary>How hard the teacher may be driven. Null rates mean no limit of that kind.</summary>
internal sealed record TeacherLimits
{
    /// <summary>Requests in flight at once.</summary>
    public int Concurrency { get; init; } = 8;

    public int? RequestsPerMinute { get; init; }

    public long? TokensPerMinute { get; init; }

    /// <summary>What a request is assumed to produce when it sets no output limit (for the token reservation).</summary>
    public int AssumedOutputTokens { get; init; } = 1024;
}
