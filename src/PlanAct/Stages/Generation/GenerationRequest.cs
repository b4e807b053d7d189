using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;
using PlanAct.Plans;

namespace PlanAct.Stages.Generation;

/// <summary>
/// One request for new query-plan pairs: the seeds it shows (numbered 1..k) and its messages. The id ends in a hash of
/// the messages, so an answer kept from a run with other seeds, settings or prompts is never taken for this one's.
/// </summary>
internal sealed record GenerationRequest(string Id, int Index, string Site, IReadOnlyList<PlanRecord> Seeds, IReadOnlyList<ChatMessage> Messages)
{
    public static GenerationRequest Create(string stage, int index, string site, IReadOnlyList<PlanRecord> seeds, IReadOnlyList<ChatMessage> messages)
    {
        var text = new StringBuilder();
        foreach (var message in messages)
        {
            text.Append(message.Role.Value).Append('\n').Append(message.Text).Append('\n');
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..8];
        return new GenerationRequest($"{stage}-{index:D5}-{hash}", index, site, seeds, messages);
    }
}
