using System.ClientModel;
using System.ClientModel.Primitives;
using Azure.AI.OpenAI;
using Microsoft.Extensions.AI;
using OllamaSharp;
using OpenAI;

namespace PlanAct.Teacher;

/// <summary>Builds provider clients over the official SDKs: OpenAI (and compatible servers), Azure OpenAI, Ollama.</summary>
internal static class TeacherClientFactory
{
    /// <summary>The OpenAI SDK client for the endpoint (Azure's for Azure), retries off: ours is the one retry layer.</summary>
    public static OpenAIClient CreateOpenAIClient(TeacherOptions options)
    {
        // Local servers accept any key; the SDKs require a non-empty one.
        var credential = new ApiKeyCredential(string.IsNullOrEmpty(options.ApiKey) ? "unused" : options.ApiKey);
        if (options.EffectiveProvider == TeacherProvider.Azure)
        {
            var endpoint = options.BaseUrl ?? throw new InvalidOperationException("Azure OpenAI needs an endpoint (AZURE_OPENAI_ENDPOINT or the base URL setting)");
            var azureOptions = new AzureOpenAIClientOptions { NetworkTimeout = options.Timeout, RetryPolicy = new ClientRetryPolicy(maxRetries: 0) };
            return new AzureOpenAIClient(endpoint, credential, azureOptions);
        }

        var clientOptions = new OpenAIClientOptions { NetworkTimeout = options.Timeout, RetryPolicy = new ClientRetryPolicy(maxRetries: 0) };
        if (options.BaseUrl is not null)
        {
            clientOptions.Endpoint = options.BaseUrl;
        }

        return new OpenAIClient(credential, clientOptions);
    }

    /// <summary>The provider's chat client for <paramref name="model"/> (Azure: a deployment), our bookkeeping stripped off at its door.</summary>
    public static IChatClient CreateProviderClient(TeacherOptions options, string? model = null)
    {
        model ??= options.Model;
        if (string.IsNullOrWhiteSpace(model))
        {
            throw new InvalidOperationException("no teacher model is configured (the model setting or PLANACT_MODEL)");
        }

        IChatClient client = options.EffectiveProvider == TeacherProvider.Ollama
            ? new OllamaApiClient(new HttpClient { BaseAddress = options.BaseUrl ?? new Uri("http://localhost:11434"), Timeout = options.Timeout }, model)
            : CreateOpenAIClient(options).GetChatClient(model).AsIChatClient();
        return new ProviderBoundaryChatClient(client);
    }

    /// <summary>Removes our stage/item/attempt properties so they never travel to the provider.</summary>
    private sealed class ProviderBoundaryChatClient(IChatClient inner) : DelegatingChatClient(inner)
    {
        public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            base.GetResponseAsync(messages, TeacherRequest.WithoutContext(options), cancellationToken);

        public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            base.GetStreamingResponseAsync(messages, TeacherRequest.WithoutContext(options), cancellationToken);
    }
}
