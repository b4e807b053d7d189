namespace PlanAct.Teacher.Cost;

/// <summary>Spending of one stage on one model, online or through the Batch API.</summary>
internal sealed record CostLine(string Stage, string Model, bool Batch, int Sent, int Reused, long InputTokens, long OutputTokens, decimal? Dollars)
{
    /// <summary>The grand total of <paramref name="lines"/> (stage <c>total</c>, no model); its dollars are unknown when any line's are.</summary>
    public static CostLine Total(IReadOnlyList<CostLine> lines) => new(
        "total", "", false, lines.Sum(l => l.Sent), lines.Sum(l => l.Reused), lines.Sum(l => l.InputTokens), lines.Sum(l => l.OutputTokens),
        lines.Any(l => l.Dollars is null) ? null : lines.Sum(l => l.Dollars!.Value));
}

/// <summary>A send would take spending past the cost budget; the run stops cleanly and can be resumed later.</summary>
internal sealed class BudgetExceededException(decimal maxCost, decimal spent, decimal spentBefore = 0)
    : Exception($"stopping: the next request could take spending past the budget of ${maxCost:0.00} (${spent:0.0000} spent in this run"
        + (spentBefore > 0 ? $", ${spentBefore:0.0000} by earlier runs" : "") + "); run again to resume, with a larger budget")
{
    public decimal MaxCost { get; } = maxCost;

    public decimal Spent { get; } = spent;
}

/// <summary>
/// A spending limit in dollars. <see cref="Stages"/> set: what earlier runs spent on those stages (the ledger's answers,
/// at today's prices) counts too, so a run that crashes and restarts cannot spend the budget again; null: only this
/// process's spending counts.
/// </summary>
internal sealed record CostBudget(decimal Max, IReadOnlySet<string>? Stages = null);

/// <summary>
/// Tokens and dollars of this run per stage and model. With a budget, a send first reserves its worst-case cost
/// (prompt plus output limit) and is refused if spending (<paramref name="spentBefore"/> by earlier runs, plus this
/// run's) plus what is in flight could pass the budget.
/// </summary>
internal sealed class CostMeter(PriceTable prices, decimal? maxCost = null, decimal spentBefore = 0)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Stage, string Model, bool Batch), CostLine> _lines = [];
    private decimal _reserved;

    public PriceTable Prices { get; } = prices;

    public decimal? MaxCost { get; } = maxCost;

    /// <summary>What earlier runs spent, counted against <see cref="MaxCost"/>.</summary>
    public decimal SpentBefore { get; } = spentBefore;

    /// <summary>Dollars spent in this run on models with a known price.</summary>
    public decimal Spent
    {
        get
        {
            lock (_gate)
            {
                return _lines.Values.Sum(l => l.Dollars ?? 0);
            }
        }
    }

    /// <summary>Reserves a send's worst-case cost against the budget; dispose the result once the real usage is recorded.</summary>
    /// <param name="model">The model asked.</param>
    /// <param name="promptTokens">Counts the prompt's tokens: only with a budget.</param>
    /// <param name="maxOutputTokens">The most the answer may have.</param>
    public IDisposable Reserve(string model, Func<long> promptTokens, long maxOutputTokens)
    {
        if (MaxCost is not { } max)
        {
            return NoReservation.Instance;
        }

        var estimate = Prices.Cost(model, promptTokens(), maxOutputTokens)
            ?? throw new InvalidOperationException($"a cost budget needs a price for model \"{model}\"; add it under prices: in the configuration");
        lock (_gate)
        {
            var spent = _lines.Values.Sum(l => l.Dollars ?? 0);
            if (SpentBefore + spent + _reserved + estimate > max)
            {
                throw new BudgetExceededException(max, spent, SpentBefore);
            }

            _reserved += estimate;
        }

        return new Reservation(this, estimate);
    }

    /// <summary>Records a paid answer.</summary>
    public void RecordSent(string stage, string model, long inputTokens, long outputTokens, bool batch = false)
    {
        var dollars = Prices.Cost(model, inputTokens, outputTokens, batch);
        TeacherTelemetry.RecordSent(stage, model, inputTokens, outputTokens, dollars, batch);
        Update(stage, model, batch, line => line with
        {
            Sent = line.Sent + 1,
            InputTokens = line.InputTokens + inputTokens,
            OutputTokens = line.OutputTokens + outputTokens,
            Dollars = line.Dollars is { } d && dollars is { } add ? d + add : null,
        });
    }

    /// <summary>Records an answer read back from the ledger: no tokens, no cost.</summary>
    public void RecordReused(string stage, string model)
    {
        TeacherTelemetry.RecordReused(stage, model);
        Update(stage, model, false, line => line with { Reused = line.Reused + 1 });
    }

    public IReadOnlyList<CostLine> Lines()
    {
        lock (_gate)
        {
            return [.. _lines.Values.OrderBy(l => l.Stage, StringComparer.Ordinal).ThenBy(l => l.Model, StringComparer.Ordinal).ThenBy(l => l.Batch)];
        }
    }

    private void Update(string stage, string model, bool batch, Func<CostLine, CostLine> change)
    {
        lock (_gate)
        {
            var key = (stage, model, batch);
            var line = _lines.GetValueOrDefault(key) ?? new CostLine(stage, model, batch, 0, 0, 0, 0, Prices.Find(model) is null ? null : 0m);
            _lines[key] = change(line);
        }
    }

    private void Release(decimal estimate)
    {
        lock (_gate)
        {
            _reserved -= estimate;
        }
    }

    private sealed class Reservation(CostMeter meter, decimal estimate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                meter.Release(estimate);
            }
        }
    }

    private sealed class NoReservation : IDisposable
    {
        public static NoReservation Instance { get; } = new();

        public void Dispose()
        {
        }
    }
}
