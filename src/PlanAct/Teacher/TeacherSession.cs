using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using PlanAct.Teacher.Batch;
using PlanAct.Teacher.Cost;
using PlanAct.Teacher.Ledger;
using PlanAct.Teacher.Limits;

namespace PlanAct.Teacher;

/// <summary>
/// The teacher for one run: its ledger, cost meter and shared limits, and a client per stage built as layers:
/// ledger (answers what was paid for) → retry → limits and budget → telemetry → provider. Without a configured model it can
/// still serve everything the ledger holds and collect the rest (dry runs, batch preparation).
/// </summary>
internal sealed class TeacherSession : IAsyncDisposable
{
    /// <summary>The model name requests are keyed and priced under when no teacher is configured (dry runs).</summary>
    public const string UnconfiguredModel = "unconfigured";

    /// <summary>Per model, everything below the ledger: shared by all stages, so its retry cool-down and limits are too.</summary>
    private readonly ConcurrentDictionary<string, IChatClient> _senders = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    // What every request waits for before it is answered or sent (see AdmitAfter).
    private Task _admitted = Task.CompletedTask;

    private TeacherSession(TeacherOptions options, TeacherLedger ledger, CostMeter meter, TimeProvider time)
    {
        Options = options;
        Ledger = ledger;
        Meter = meter;
        _time = time;
        Limiter = new TeacherLimiter(options.Limits, time);
    }

    public TeacherOptions Options { get; }

    public TeacherLedger Ledger { get; }

    public CostMeter Meter { get; }

    public TeacherLimiter Limiter { get; }

    public static async Task<TeacherSession> OpenAsync(TeacherOptions options, CostBudget? budget = null, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var ledger = await TeacherLedger.OpenAsync(options.LedgerPath ?? TeacherLedger.DefaultPath, cancellationToken);
        try
        {
            var spentBefore = budget?.Stages is { } stages
                ? (await ledger.TotalsAsync(cancellationToken)).Where(t => stages.Contains(t.Stage)).Sum(t => t.Cost(options.Prices) ?? 0)
                : 0;
            return new TeacherSession(options, ledger, new CostMeter(options.Prices, budget?.Max, spentBefore), time ?? TimeProvider.System);
        }
        catch
        {
            await ledger.DisposeAsync();
            throw;
        }
    }

    /// <summary>A session for a dry run: the ledger is only read (an empty one in memory when there is none), so nothing is written.</summary>
    public static async Task<TeacherSession> OpenForDryRunAsync(TeacherOptions options, CancellationToken cancellationToken = default)
    {
        var ledger = await TeacherLedger.OpenForDryRunAsync(options.LedgerPath ?? TeacherLedger.DefaultPath, cancellationToken);
        return new TeacherSession(options, ledger, new CostMeter(options.Prices), TimeProvider.System);
    }

    public StageSettings SettingsFor(string stage) => Options.ForStage(stage);

    /// <summary>The model a stage's requests are keyed and priced under.</summary>
    public string ModelFor(string stage) => SettingsFor(stage).Model ?? UnconfiguredModel;

    /// <summary>The sampling parameters of a stage's requests.</summary>
    public ChatOptions ChatOptionsFor(string stage)
    {
        var settings = SettingsFor(stage);
        return new ChatOptions { ModelId = ModelFor(stage), Temperature = settings.Temperature, MaxOutputTokens = settings.MaxOutputTokens, Seed = settings.Seed };
    }

    /// <summary>A re-ask dialog for a stage, with its parameters and attempt budget.</summary>
    public TeacherDialog DialogFor(string stage, Action<PendingRequest>? defer = null) =>
        new(ClientFor(stage, defer), stage, ChatOptionsFor(stage), SettingsFor(stage).Attempts ?? StageSettings.DefaultAttempts);

    /// <summary>
    /// The client a stage asks through, the whole teacher stack composed here. With <paramref name="defer"/>, what the
    /// ledger cannot answer is handed there instead of being sent (see <see cref="LedgerChatClient.Defer"/>).
    /// </summary>
    public IChatClient ClientFor(string stage, Action<PendingRequest>? defer = null)
    {
        var model = ModelFor(stage);
        var sender = _senders.GetOrAdd(model, m => Options.IsConfigured
            ? TeacherClientFactory.CreateProviderClient(Options, m).AsBuilder()
                .UseRetry(Options.Retry, _time)
                .UseTeacherLimits(Limiter, Meter, m)
                .UseTeacherTelemetry()
                .Build()
            : new NotConfiguredChatClient());
        return new AdmittingChatClient(sender.AsBuilder().UseLedger(Ledger, model, Options.Refresh, Meter, defer).Build(), this);
    }

    /// <summary>
    /// Holds every request, whether the ledger answers it or it is sent, until <paramref name="admitted"/> has
    /// completed, and fails it with its error if it fails: a pipeline run starts its stages while it checks its input,
    /// and nothing is asked, nor an answer used, before the input is known to be valid. Until the next call.
    /// </summary>
    internal void AdmitAfter(Task admitted) => Volatile.Write(ref _admitted, admitted);

    /// <summary>
    /// The Batch API on this teacher's account; collected answers are paid for in <see cref="Meter"/>. Azure takes its
    /// own endpoint path, with the deployment as model.
    /// </summary>
    public BatchRunner CreateBatchRunner(BatchSettings? settings = null)
    {
        settings ??= new BatchSettings();
        if (Options.EffectiveProvider == TeacherProvider.Ollama)
        {
            throw new InvalidOperationException("Ollama has no Batch API; run online, or use its OpenAI-compatible /v1 endpoint with a server that has one");
        }

        if (Options.EffectiveProvider == TeacherProvider.Azure)
        {
            settings = settings with { Endpoint = BatchSettings.AzureEndpoint };
        }

        var client = TeacherClientFactory.CreateOpenAIClient(Options);
        return new BatchRunner(client.GetBatchClient(), client.GetOpenAIFileClient(), Ledger, settings, _time) { Meter = Meter };
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _senders.Values)
        {
            client.Dispose();
        }

        Limiter.Dispose();
        await Ledger.DisposeAsync();
    }

    /// <summary>A stage's client whose requests wait for the session to admit them (<see cref="AdmitAfter"/>).</summary>
    private sealed class AdmittingChatClient(IChatClient inner, TeacherSession session) : DelegatingChatClient(inner)
    {
        public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            // Once admitted (nearly always), no layer of its own: a request costs no more than without admission.
            var admitted = Volatile.Read(ref session._admitted);
            return admitted.IsCompletedSuccessfully ? base.GetResponseAsync(messages, options, cancellationToken) : AdmittedAsync(admitted);

            async Task<ChatResponse> AdmittedAsync(Task admission)
            {
                await admission.WaitAsync(cancellationToken);
                return await base.GetResponseAsync(messages, options, cancellationToken);
            }
        }

        public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Volatile.Read(ref session._admitted).WaitAsync(cancellationToken);
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken))
            {
                yield return update;
            }
        }
    }

    /// <summary>The teacher when none is configured: anything that reaches it is a configuration error.</summary>
    private sealed class NotConfiguredChatClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("no teacher is configured: give it a model (PLANACT_MODEL) and an endpoint, or make a dry run");

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("no teacher is configured");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
