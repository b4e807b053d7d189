using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;
using PlanAct.Html;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Stages.Generation;
using PlanAct.Text;

namespace PlanAct.Stages.Expand;

/// <summary>Settings of an expand run.</summary>
internal sealed record ExpandOptions
{
    /// <summary>How many new plan records to accept.</summary>
    public required int Count { get; init; }

    /// <summary>New pairs asked for per request (m).</summary>
    public int PerRequest { get; init; } = 10;

    /// <summary>Seeds shown per request (k).</summary>
    public int SeedsPerRequest { get; init; } = 5;

    /// <summary>The sites requests rotate over, in this order; null: every site of the seeds.</summary>
    public IReadOnlyList<string>? Sites { get; init; }

    /// <summary>Requests to spend at most; null: <see cref="RequestBudget"/>'s default.</summary>
    public int? MaxRequests { get; init; }

    /// <summary>The seed of the seed draws.</summary>
    public int RandomSeed { get; init; }

    public PairFilterSettings Filter { get; init; } = new();

    public TokenCounter Counter { get; init; } = TokenCounter.O200k;

    /// <summary>Requests the run may spend: <see cref="MaxRequests"/>, or three times what the target needs if every pair were accepted.</summary>
    public int RequestBudget => MaxRequests ?? 3 * ((Count + PerRequest - 1) / PerRequest);
}

/// <summary>
/// The requests of an expand run (SPEC §2.4), in order: each shows the next draw of seeds (query, first page, plan)
/// and asks for <see cref="ExpandOptions.PerRequest"/> new pairs. Built the same way every time, so a re-run asks the
/// ledger exactly what the first run sent.
/// </summary>
internal sealed class ExpandPrompts(SeedRepository seeds, ExpandOptions options)
{
    public const string StageName = "expand";

    private readonly Dictionary<string, string> _pages = new(StringComparer.Ordinal);

    /// <summary>The endless request sequence; take as many as the run needs.</summary>
    public IEnumerable<GenerationRequest> Requests() =>
        seeds.Draw(options.SeedsPerRequest, options.RandomSeed).Select(d => GenerationRequest.Create(StageName, d.Index, d.Site, d.Seeds, Messages(d)));

    public IReadOnlyList<ChatMessage> Messages(SeedDraw draw)
    {
        var examples = new StringBuilder();
        for (var i = 0; i < draw.Seeds.Count; i++)
        {
            var seed = draw.Seeds[i];
            examples.Append(PromptTemplate.Load(typeof(ExpandPrompts), "expand.seed.md").Fill(
                ("number", (i + 1).ToString(CultureInfo.InvariantCulture)),
                ("query", seed.Task),
                ("page", Page(seed)),
                ("plan", PlanText.Format(seed.Plan, PlanTextStyle.Target).Trim()))).Append("\n\n");
        }

        var user = PromptTemplate.Load(typeof(ExpandPrompts), "expand.user.md").Fill(
            ("site", draw.Site),
            ("seed_count", draw.Seeds.Count.ToString(CultureInfo.InvariantCulture)),
            ("seeds", examples.ToString().TrimEnd()),
            ("count", options.PerRequest.ToString(CultureInfo.InvariantCulture)));
        return [new ChatMessage(ChatRole.System, EmbeddedText.Read(typeof(ExpandPrompts), "expand.system.md")), new ChatMessage(ChatRole.User, user)];
    }

    // A seed's page is shown in many requests: render and cut it once.
    private string Page(PlanRecord seed)
    {
        if (!_pages.TryGetValue(seed.Id, out var page))
        {
            _pages[seed.Id] = page = Observation.FitView(seed.InitialHtml, executor: false, options.Filter.MaxPageTokens, options.Counter).Html;
        }

        return page;
    }
}
