using Microsoft.Extensions.AI;
using PlanAct.IO;
using PlanAct.Teacher;
using PlanAct.Teacher.Cost;
using PlanAct.Teacher.Ledger;
using PlanAct.Teacher.Limits;

namespace PlanAct.Tests.Teacher;

/// <summary>Token buckets, prices, the budget and the YAML configuration.</summary>
public class LimitsAndCostTests
{
    [Fact]
    public void Ledger_totals_price_batch_answers_at_the_batch_price_and_the_rest_online()
    {
        var prices = PriceTable.Default;
        var totals = new LedgerStageTotals("annotate", "gpt-4o-mini", 3, 3, 3000, 300, 3) { BatchInputTokens = 1000, BatchOutputTokens = 100 };

        var expected = prices.Cost("gpt-4o-mini", 2000, 200)!.Value + (prices.Cost("gpt-4o-mini", 1000, 100)!.Value * prices.BatchDiscount);
        Assert.Equal(expected, totals.Cost(prices));
        Assert.True(totals.Cost(prices) < prices.Cost("gpt-4o-mini", 3000, 300));
        Assert.Null((totals with { Model = "no-such-model" }).Cost(prices));
    }

    /// <summary>A clock that moves only when told, and runs due timers when it does.</summary>
    private sealed class ManualTime : TimeProvider
    {
        private readonly List<(long Due, TaskCompletionSource Done)> _waiters = [];
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public override DateTimeOffset GetUtcNow() => new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(GetTimestamp());

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = new ManualTimer(callback, state);
            lock (_waiters)
            {
                _waiters.Add((GetTimestamp() + dueTime.Ticks, timer.Fired));
            }

            timer.Fired.Task.ContinueWith(_ => callback(state), TaskScheduler.Default);
            return timer;
        }

        public void Advance(TimeSpan by)
        {
            Interlocked.Add(ref _ticks, by.Ticks);
            lock (_waiters)
            {
                foreach (var waiter in _waiters.Where(w => w.Due <= GetTimestamp()).ToList())
                {
                    _waiters.Remove(waiter);
                    waiter.Done.TrySetResult();
                }
            }
        }

        private sealed class ManualTimer(TimerCallback callback, object? state) : ITimer
        {
            public TaskCompletionSource Fired { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose() => GC.KeepAlive((callback, state));

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task A_bucket_lets_a_minute_through_then_waits_for_refill()
    {
        var time = new ManualTime();
        using var bucket = new TokenBucket(60, time);
        await bucket.TakeAsync(60, CancellationToken.None);

        var next = bucket.TakeAsync(1, CancellationToken.None);
        await Task.Delay(50);
        Assert.False(next.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        await next.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Settling_real_usage_charges_or_refunds_the_estimate()
    {
        var time = new ManualTime();
        using var bucket = new TokenBucket(1000, time);
        await bucket.TakeAsync(800, CancellationToken.None);
        Assert.Equal(200, bucket.Available, 3);

        bucket.Settle(-500);
        Assert.Equal(700, bucket.Available, 3);
        bucket.Settle(+900);
        Assert.Equal(-200, bucket.Available, 3);
        bucket.Settle(-5000);
        Assert.Equal(1000, bucket.Available, 3);
    }

    [Fact]
    public void Prices_match_dated_snapshots_and_vendor_prefixes_by_the_longest_name()
    {
        var prices = PriceTable.Default;
        Assert.Equal(prices.Find("gpt-4o-mini"), prices.Find("gpt-4o-mini-2024-07-18"));
        Assert.Equal(prices.Find("gpt-4o"), prices.Find("gpt-4o-2024-08-06"));
        Assert.NotEqual(prices.Find("gpt-4o"), prices.Find("gpt-4o-mini"));
        Assert.Equal(prices.Find("gpt-4o"), prices.Find("openai/gpt-4o"));
        Assert.Null(prices.Find("llama-3.1-8b"));
        Assert.Equal(2.5m + 10m, prices.Cost("gpt-4o", 1_000_000, 1_000_000));
        Assert.Equal((2.5m + 10m) / 2, prices.Cost("gpt-4o", 1_000_000, 1_000_000, batch: true));
    }

    [Fact]
    public void A_price_override_adds_models_and_a_bad_one_names_its_line()
    {
        var prices = PriceTable.Default.With("batch_discount: 0.4\nmodels:\n  my-model: { input: 1, output: 3 }\n", "prices.yaml");
        Assert.Equal(0.4m, prices.BatchDiscount);
        Assert.Equal(4m, prices.Cost("my-model", 1_000_000, 1_000_000));
        Assert.NotNull(prices.Find("gpt-4o"));

        var error = Assert.Throws<InputException>(() => PriceTable.Default.With("models:\n  m: { input: 1, ouput: 3 }\n", "prices.yaml"));
        Assert.StartsWith("prices.yaml:2", error.Message, StringComparison.Ordinal);
        Assert.Throws<InputException>(() => PriceTable.Default.With("models:\n  m: { input: -1, output: 3 }\n", "prices.yaml"));
    }

    [Fact]
    public void The_estimate_prices_each_stage_and_model_online_and_at_the_batch_discount_and_names_unpriced_models()
    {
        var prices = PriceTable.Default.With("batch_discount: 0.4\nmodels:\n  my-model: { input: 1, output: 3 }\n", "prices.yaml");
        PendingRequest Request(string stage, string item, string model, int? maxOutput) =>
            new($"{stage}/{item}", new TeacherRequest(stage, item, 1), model, [new ChatMessage(ChatRole.User, "Describe step 1 of the plan.")], maxOutput is null ? null : new ChatOptions { MaxOutputTokens = maxOutput });

        var lines = CostEstimate.Of(
            [Request("act", "t1", "my-model", 500), Request("annotate", "t1", "my-model", null), Request("annotate", "t2", "my-model", 2_000), Request("annotate", "t3", "local-llama", null)],
            prices,
            assumedOutputTokens: 1_000);

        Assert.Equal([("act", "my-model", 1), ("annotate", "local-llama", 1), ("annotate", "my-model", 2)], lines.Select(l => (l.Stage, l.Model, l.Requests)));
        var annotate = lines[2];
        Assert.Equal(3_000, annotate.OutputTokens);
        Assert.True(annotate.InputTokens > 2);
        Assert.Equal(((annotate.InputTokens * 1m) + (3_000 * 3m)) / 1_000_000m, annotate.Online);
        Assert.Equal(annotate.Online * 0.4m, annotate.Batch);
        Assert.Null(lines[1].Online);
        Assert.Null(lines[1].Batch);

        var total = CostEstimate.Total(lines);
        Assert.Equal(4, total.Requests);
        Assert.Equal(lines[0].Online + annotate.Online, total.Online);
        Assert.Equal(lines[0].Batch + annotate.Batch, total.Batch);
        Assert.Equal(["local-llama"], total.UnpricedModels);
        Assert.Contains("\"local-llama\"", total.Unpriced, StringComparison.Ordinal);

        var nothingPriced = CostEstimate.Total([lines[1]]);
        Assert.Null(nothingPriced.Online);
        Assert.Null(nothingPriced.Batch);
        Assert.Contains("there is no total", nothingPriced.Unpriced, StringComparison.Ordinal);
        Assert.Null(CostEstimate.Total([annotate]).Unpriced);
    }

    [Fact]
    public void The_budget_refuses_a_send_that_could_pass_it_counting_what_is_in_flight()
    {
        var meter = new CostMeter(PriceTable.Default, maxCost: 1.0m);
        using (meter.Reserve("gpt-4o", () => 100_000, 0))
        {
            // $0.25 in flight; another $0.80 could pass the budget.
            Assert.Throws<BudgetExceededException>(() => meter.Reserve("gpt-4o", () => 320_000, 0));
            meter.RecordSent("annotate", "gpt-4o", 100_000, 0);
        }

        Assert.Equal(0.25m, meter.Spent);
        using (meter.Reserve("gpt-4o", () => 300_000, 0))
        {
        }

        Assert.Throws<InvalidOperationException>(() => meter.Reserve("unknown-model", () => 10, 10));
    }

    [Fact]
    public void Yaml_configuration_sets_the_teacher_and_per_stage_overrides_and_refuses_keys()
    {
        var dir = TestPaths.TempDir();
        var path = Path.Combine(dir, "planact.yaml");
        File.WriteAllText(path, """
            teacher:
              base_url: http://localhost:8000/v1
              model: qwen2.5-72b
              temperature: 0.2
              concurrency: 32
              rpm: 600
              tpm: 100000
            stages:
              annotate: { model: gpt-4o, max_output_tokens: 2048, attempts: 5 }
            prices:
              models:
                qwen2.5-72b: { input: 0.5, output: 0.5 }
            """);

        var options = TeacherConfigFile.Apply(new TeacherOptions(), path);

        Assert.Equal(new Uri("http://localhost:8000/v1"), options.BaseUrl);
        Assert.Equal(32, options.Limits.Concurrency);
        Assert.Equal(600, options.Limits.RequestsPerMinute);
        Assert.Equal(100_000, options.Limits.TokensPerMinute);
        var annotate = options.ForStage("annotate");
        Assert.Equal(("gpt-4o", 2048, 5, 0.2f), (annotate.Model, annotate.MaxOutputTokens, annotate.Attempts, annotate.Temperature));
        var act = options.ForStage("act");
        Assert.Equal(("qwen2.5-72b", 3), (act.Model, act.Attempts));
        Assert.Equal(1m, options.Prices.Cost("qwen2.5-72b", 1_000_000, 1_000_000));

        // A flag (here: a model set over the file) wins for stages without their own model.
        Assert.Equal("llama", (options with { Model = "llama" }).ForStage("act").Model);

        File.WriteAllText(path, "teacher:\n  api_key: sk-123\n");
        Assert.Contains("api_key does not belong", Assert.Throws<InputException>(() => TeacherConfigFile.Apply(new TeacherOptions(), path)).Message, StringComparison.Ordinal);
        File.WriteAllText(path, "teacher:\n  modle: x\n");
        Assert.StartsWith($"{path}:2", Assert.Throws<InputException>(() => TeacherConfigFile.Apply(new TeacherOptions(), path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Azure_variables_select_azure_and_the_deployment_when_no_base_url_is_set()
    {
        var environment = new Dictionary<string, string>
        {
            ["AZURE_OPENAI_ENDPOINT"] = "https://example.openai.azure.com/",
            ["AZURE_OPENAI_API_KEY"] = "azure-key",
            ["AZURE_OPENAI_DEPLOYMENT"] = "gpt-4o-prod",
        };
        var options = new TeacherOptions().WithEnvironment(n => environment.GetValueOrDefault(n));
        Assert.Equal((TeacherProvider.Azure, "gpt-4o-prod", "azure-key"), (options.EffectiveProvider, options.Model, options.ApiKey));
        Assert.DoesNotContain("azure-key", options.ToString(), StringComparison.Ordinal);

        environment["PLANACT_BASE_URL"] = "http://localhost:8000/v1";
        environment["PLANACT_MODEL"] = "qwen";
        var local = new TeacherOptions().WithEnvironment(n => environment.GetValueOrDefault(n));
        Assert.Equal((TeacherProvider.OpenAI, "qwen"), (local.EffectiveProvider, local.Model));
    }
}
