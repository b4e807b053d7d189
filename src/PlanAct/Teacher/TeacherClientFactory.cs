using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;
using PlanAct.Teacher.Ledger;

namespace PlanAct.Teacher;

/// <summary>Builds the teacher as layered <see cref="IChatClient"/>s over the official OpenAI SDK: ledger outermost.</summary>
public static class TeacherClientFactory
{
    /// <summary>The provider client alone (no ledger): the OpenAI SDK pointed at <see cref="TeacherOptions.BaseUrl"/>.</summary>
    public static IChatClient CreateProviderClient(TeacherOptions options)
    {
        if (!options.IsConfigured)
        {
            throw new InvalidOperationException("no teacher model is configured (set --model or PLANACT_MODEL)");
        }

        var clientOptions = new OpenAIClientOptions
        {
            NetworkTimeout = options.Timeout,

            // Retries belong to one layer of ours; the SDK must not stack its own under it.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        };
        if (options.BaseUrl is not null)
        {
            clientOptions.Endpoint = options.BaseUrl;
        }

        // Local servers accept any key; the SDK requires a non-empty one.
        var credential = new ApiKeyCredential(string.IsNullOrEmpty(options.ApiKey) ? "unused" : options.ApiKey);
        return new OpenAIClient(credential, clientOptions).GetChatClient(options.Model).AsIChatClient();
    }

    /// <summary>The teacher as stages see it: answers come from the ledger when already paid for.</summary>
    public static IChatClient Create(TeacherOptions options, TeacherLedger ledger) =>
        new LedgerChatClient(CreateProviderClient(options), ledger, options.Model!, options.Refresh);
}
