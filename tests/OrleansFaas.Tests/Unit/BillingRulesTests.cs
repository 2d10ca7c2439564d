using OrleansFaas.Grains.Billing;
using OrleansFaas.Grains.Hosting;

namespace OrleansFaas.Tests.Unit;

public class BillingRulesTests
{
    [Theory]
    [InlineData(0.2, 0, 1, 1)]
    [InlineData(1.0, 0, 1, 1)]
    [InlineData(1.01, 0, 1, 2)]
    [InlineData(3.01, 110.1, 1, 114)]
    [InlineData(0.2, 0, 100, 100)]
    [InlineData(100.0, 0, 100, 100)]
    [InlineData(100.5, 0, 100, 200)]
    [InlineData(15.74, 130.49, 100, 200)]
    public void RoundsDurationPlusInitUpToTheGranularity(double duration, double init, int granularity, long expected) =>
        Assert.Equal(expected, BillingRules.BilledMilliseconds(duration, init, granularity));

    [Fact]
    public void ComputesGbSecondsFromBilledTimeAndMemory()
    {
        Assert.Equal(0.125, BillingRules.GbSeconds(1000, 128), 9);
        Assert.Equal(1.0, BillingRules.GbSeconds(1000, 1024), 9);
        Assert.Equal(10.0, BillingRules.GbSeconds(1000, 10240), 9);
    }

    [Fact]
    public void PricesRequestsAndComputeWithLambdaDefaults()
    {
        var prices = new BillingSettings();
        Assert.Equal(0.20, BillingRules.RequestCost(1_000_000, prices), 9);
        Assert.Equal(0.0000166667, BillingRules.ComputeCost(1.0, prices), 12);
    }
}
