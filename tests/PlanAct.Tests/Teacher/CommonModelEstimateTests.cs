using PlanAct.Teacher;
using PlanAct.Teacher.Cost;

namespace PlanAct.Tests.Teacher;

public class CommonModelEstimateTests
{
    [Fact]
    public void Requests_of_no_configured_model_are_priced_at_each_common_model_and_summed_per_model()
    {
        var prices = PriceTable.Default;
        var lines = new[]
        {
            new CostEstimateLine("annotate", TeacherSession.UnconfiguredModel, 10, 1_000_000, 100_000, null, null)
            {
                AtCommonModels = [.. CostEstimate.CommonModels.Select(m => new ModelCost(m, prices.Cost(m, 1_000_000, 100_000), prices.Cost(m, 1_000_000, 100_000, batch: true)))],
            },
            new CostEstimateLine("replan", TeacherSession.UnconfiguredModel, 5, 2_000_000, 0, null, null)
            {
                AtCommonModels = [.. CostEstimate.CommonModels.Select(m => new ModelCost(m, prices.Cost(m, 2_000_000, 0), prices.Cost(m, 2_000_000, 0, batch: true)))],
            },
            new CostEstimateLine("act", "gpt-4o", 1, 1_000, 1_000, 0.0125m, 0.00625m),
        };

        var total = CostEstimate.Total(lines);

        Assert.Equal(0.0125m, total.Online);
        Assert.Equal(["gpt-4o-mini", "gpt-4.1-mini", "gpt-4o"], total.AtCommonModels.Select(c => c.Model));
        var mini = total.AtCommonModels[0];
        Assert.Equal(prices.Cost("gpt-4o-mini", 3_000_000, 100_000), mini.Online);
        Assert.Equal(0.15m * 3 + 0.60m * 0.1m, mini.Online);
        Assert.Contains("gpt-4o-mini $0.5100 online", CostEstimate.DescribeCommonModels(total.AtCommonModels, d => d is { } v ? v.ToString("$0.0000", System.Globalization.CultureInfo.InvariantCulture) : "?"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_configured_model_gets_no_common_model_prices()
    {
        var total = CostEstimate.Total([new CostEstimateLine("act", "gpt-4o", 1, 1_000, 1_000, 0.0125m, 0.00625m)]);
        Assert.Empty(total.AtCommonModels);
    }
}
