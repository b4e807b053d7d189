using Microsoft.Extensions.AI;
using PlanAct.Teacher.Limits;

namespace PlanAct.Teacher;

/// <summary>An answer as a stage sees it: the text, the trace kept apart, and where it came from.</summary>
internal sealed record TeacherReply(string Text, string? Reasoning, string? RequestId, bool FromLedger);

/// <summary>The verdict of a stage's validator on one answer.</summary>
internal readonly record struct Checked<T>(T? Value, string? Error)
{
    /// <summary>The dressing the tolerant reading took off the answer before parsing it (null or empty: read as written).</summary>
    public IReadOnlyList<Dressing>? Removed { get; init; }

    /// <summary>The answer's form, whose example a re-ask shows (null: the error alone).</summary>
    public AnswerForm? Form { get; init; }

    public static Checked<T> Ok(T value) => new(value, null);

    public static Checked<T> Fail(string error) => new(default, error);
}

/// <summary>One answer the teacher gave (or failed to give) for an item.</summary>
internal sealed record TeacherAttempt(int Attempt, string? RequestId, string? Answer, string? Reasoning, string Error);

/// <summary>How asking about one item ended.</summary>
internal abstract record TeacherOutcome<T>
{
    private TeacherOutcome()
    {
    }

    /// <summary>Every rejected attempt before the accepted one, oldest first.</summary>
    public required IReadOnlyList<TeacherAttempt> Rejected { get; init; }

    /// <summary>The ledger request ids of every answer given, rejected ones first.</summary>
    public IEnumerable<string> RequestIds =>
        Rejected.Select(a => a.RequestId).Append((this as Accepted)?.Reply.RequestId).OfType<string>();

    public sealed record Accepted(T Value, TeacherReply Reply) : TeacherOutcome<T>;

    /// <summary>The attempt budget ran out: <see cref="Reason"/> is the last error.</summary>
    public sealed record Failed(string Reason) : TeacherOutcome<T>;
}

/// <summary>
/// The re-ask helper every stage shares: ask, validate the parsed answer, and on a rejection append the answer and
/// the exact error to the conversation and ask again, up to the stage's attempt budget. A failed call (retries spent,
/// answer cut by the length limit or a filter) uses up an attempt too and is asked again as it was.
/// Deferrals (batch, dry run) and the budget stop pass through untouched.
/// </summary>
internal sealed class TeacherDialog(IChatClient teacher, string stage, ChatOptions options, int attempts)
{
    public string Stage { get; } = stage;

    /// <summary>Where every rejected answer's error is counted (the stage statistics), when set.</summary>
    public Action<string>? OnRejected { get; private init; }

    /// <summary>Where the dressing of every answer accepted after it was taken off is counted (the stage statistics), when set.</summary>
    public Action<IReadOnlyList<Dressing>>? OnNormalized { get; private init; }

    /// <summary>The same dialog reporting every rejected answer's error to <paramref name="onRejected"/> (one item's rejections).</summary>
    public TeacherDialog ReportingRejectionsTo(Action<string> onRejected) => new(teacher, Stage, options, attempts) { OnRejected = onRejected, OnNormalized = OnNormalized };

    /// <summary>The same dialog reporting the dressing of every answer accepted after it was taken off to <paramref name="onNormalized"/>.</summary>
    public TeacherDialog ReportingNormalizedTo(Action<IReadOnlyList<Dressing>> onNormalized) => new(teacher, Stage, options, attempts) { OnRejected = OnRejected, OnNormalized = onNormalized };

    public async Task<TeacherOutcome<T>> AskAsync<T>(
        string item, IReadOnlyList<ChatMessage> messages, Func<TeacherReply, Checked<T>> check, CancellationToken cancellationToken)
    {
        var conversation = new List<ChatMessage>(messages);
        var rejected = new List<TeacherAttempt>();
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            TeacherReply reply;
            try
            {
                var response = await teacher.GetResponseAsync(conversation, new TeacherRequest(Stage, item, attempt).ApplyTo(options), cancellationToken);
                reply = ReplyOf(response);
            }
            catch (TeacherFailureException e)
            {
                rejected.Add(new TeacherAttempt(attempt, null, null, null, e.Message));
                OnRejected?.Invoke(e.Message);
                continue;
            }

            var result = check(reply);
            if (result.Error is null)
            {
                if (result.Removed is { Count: > 0 } removed)
                {
                    OnNormalized?.Invoke(removed);
                }

                return new TeacherOutcome<T>.Accepted(result.Value!, reply) { Rejected = rejected };
            }

            rejected.Add(new TeacherAttempt(attempt, reply.RequestId, reply.Text, reply.Reasoning, result.Error));
            OnRejected?.Invoke(result.Error);
            conversation.Add(new ChatMessage(ChatRole.Assistant, reply.Text));
            conversation.Add(new ChatMessage(ChatRole.User, Reask(result.Error, result.Removed, result.Form)));
        }

        return new TeacherOutcome<T>.Failed(rejected[^1].Error) { Rejected = rejected };
    }

    /// <summary>
    /// The follow-up message after a rejected answer: the validator's exact words, the dressing that was taken off
    /// before reading (so the teacher sees that it was not the problem), and the expected form with a minimal example.
    /// </summary>
    public static string Reask(string error, IReadOnlyList<Dressing>? removed = null, AnswerForm? form = null)
    {
        var text = new System.Text.StringBuilder("That answer cannot be used: ").Append(error).Append('\n');
        if (removed is { Count: > 0 })
        {
            text.Append("(It was read after taking off ").AppendJoin(", ", removed).Append("; that was not the problem.)\n");
        }

        if (form is not null)
        {
            text.Append("\nThe expected form of ").Append(form.Name).Append(", for example:\n\n").Append(form.Example.TrimEnd()).Append("\n\n");
        }

        return text.Append("Write the whole answer again, correcting this, in exactly the required format.").ToString();
    }

    private static TeacherReply ReplyOf(ChatResponse response)
    {
        var properties = response.AdditionalProperties;
        var (text, reasoning) = properties?.ContainsKey(TeacherRequest.ReasoningProperty) == true
            ? (response.Text, properties[TeacherRequest.ReasoningProperty] as string)
            : TeacherAnswer.Read(response);
        return new TeacherReply(
            text,
            reasoning,
            properties?.TryGetValue(TeacherRequest.RequestIdProperty, out var id) == true ? id as string : null,
            properties?.TryGetValue(TeacherRequest.FromLedgerProperty, out var saved) == true && saved is true);
    }
}
