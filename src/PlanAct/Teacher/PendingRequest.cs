using Microsoft.Extensions.AI;

namespace PlanAct.Teacher;

/// <summary>
/// A request the ledger could not answer, held back instead of sent: collected for the Batch API, or counted and
/// priced by a dry run. <see cref="Options"/> are the provider's options (our bookkeeping properties removed).
/// </summary>
internal sealed record PendingRequest(string Key, TeacherRequest Request, string Model, IReadOnlyList<ChatMessage> Messages, ChatOptions? Options);

/// <summary>Thrown to a stage when its request was held back (batch mode, dry run): the item waits for a later pass.</summary>
internal sealed class RequestDeferredException(PendingRequest request)
    : Exception($"request {request.Key} for {request.Request.Stage} item {request.Request.Item} is waiting for an answer")
{
    public PendingRequest Request { get; } = request;
}
