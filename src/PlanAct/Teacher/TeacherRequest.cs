using Microsoft.Extensions.AI;

namespace PlanAct.Teacher;

/// <summary>
/// Which stage, item and attempt a teacher call belongs to. Travels in <see cref="ChatOptions.AdditionalProperties"/>
/// so stages only see an <see cref="IChatClient"/>; the ledger folds it into the request key.
/// </summary>
internal sealed record TeacherRequest(string Stage, string Item, int Attempt)
{
    private const string StageKey = "planact.stage";
    private const string ItemKey = "planact.item";
    private const string AttemptKey = "planact.attempt";

    /// <summary>Response property: the ledger key of the answer (the request id stored on records).</summary>
    public const string RequestIdProperty = "planact.request_id";

    /// <summary>Response property: true when the answer came from the ledger and nothing was sent.</summary>
    public const string FromLedgerProperty = "planact.from_ledger";

    /// <summary>Response property: the reasoning trace, kept apart from the answer text.</summary>
    public const string ReasoningProperty = "planact.reasoning";

    public static TeacherRequest Unnamed { get; } = new("adhoc", "", 0);

    public ChatOptions ApplyTo(ChatOptions? options)
    {
        var result = options?.Clone() ?? new ChatOptions();
        result.AdditionalProperties ??= [];
        result.AdditionalProperties[StageKey] = Stage;
        result.AdditionalProperties[ItemKey] = Item;
        result.AdditionalProperties[AttemptKey] = Attempt;
        return result;
    }

    public static TeacherRequest From(ChatOptions? options)
    {
        var properties = options?.AdditionalProperties;
        if (properties is null || !properties.TryGetValue(StageKey, out var stage))
        {
            return Unnamed;
        }

        return new TeacherRequest(
            stage?.ToString() ?? "",
            properties.TryGetValue(ItemKey, out var item) ? item?.ToString() ?? "" : "",
            properties.TryGetValue(AttemptKey, out var attempt) && attempt is int n ? n : 0);
    }

    /// <summary>Options as the provider should see them: our bookkeeping properties removed.</summary>
    public static ChatOptions? WithoutContext(ChatOptions? options)
    {
        if (options?.AdditionalProperties is not { } properties || !properties.ContainsKey(StageKey))
        {
            return options;
        }

        var clean = options.Clone();
        clean.AdditionalProperties!.Remove(StageKey);
        clean.AdditionalProperties.Remove(ItemKey);
        clean.AdditionalProperties.Remove(AttemptKey);
        if (clean.AdditionalProperties.Count == 0)
        {
            clean.AdditionalProperties = null;
        }

        return clean;
    }
}
