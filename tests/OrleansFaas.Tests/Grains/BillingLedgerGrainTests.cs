using OrleansFaas.Abstractions.Grains;
using OrleansFaas.Grains.Billing;

namespace OrleansFaas.Tests.Grains;

/// <summary>The ledger grain prices what the silos' recorders wrote to the (shared, in-memory) ledger store.</summary>
[Collection(ClusterCollection.Name)]
public class BillingLedgerGrainTests(ClusterFixture fixture)
{
    private static string NewFunction() => "ledger-" + Guid.NewGuid().ToString("N")[..12];

    private static Task ApplyAsync(params UsageEntry[] entries) => ClusterFixture.UsageStore.ApplyAsync(entries);

    private Task<Abstractions.Model.BillingSummary> SummaryAsync(string function) =>
        fixture.Cluster.GrainFactory.GetGrain<IBillingLedgerGrain>(function).GetSummary();

    [Fact]
    public async Task SumsInvocationsBilledTimeAndGbSecondsAndPricesThem()
    {
        var fn = NewFunction();
        await ApplyAsync(
            new UsageEntry(fn, "r1", UsageStep.Complete, 100, 128, "2026-11-28"),
            new UsageEntry(fn, "r2", UsageStep.Complete, 1000, 1024, "2026-11-28"));

        var summary = await SummaryAsync(fn);

        Assert.Equal(2, summary.Invocations);
        Assert.Equal(1100, summary.BilledMs);
        Assert.Equal(0.1 * 0.125 + 1.0, summary.GbSeconds, 9);
        Assert.Equal(2 * 0.20 / 1_000_000, summary.RequestCost, 12);
        Assert.Equal(summary.GbSeconds * 0.0000166667, summary.ComputeCost, 12);
        Assert.Equal(summary.RequestCost + summary.ComputeCost, summary.Cost, 12);
    }

    [Fact]
    public async Task KeepsOneRowPerUtcDay()
    {
        var fn = NewFunction();
        await ApplyAsync(
            new UsageEntry(fn, "a", UsageStep.Complete, 5, 128, "2026-11-28"),
            new UsageEntry(fn, "b", UsageStep.Complete, 7, 128, "2026-11-29"),
            new UsageEntry(fn, "c", UsageStep.Complete, 9, 128, "2026-11-29"));

        var days = (await SummaryAsync(fn)).Days;

        Assert.Equal(["2026-11-28", "2026-11-29"], days.Select(d => d.Date));
        Assert.Equal([1L, 2L], days.Select(d => d.Invocations));
        Assert.Equal([5L, 16L], days.Select(d => d.BilledMs));
    }

    [Fact]
    public async Task AnUnknownFunctionHasAnEmptyBill()
    {
        var summary = await SummaryAsync(NewFunction());
        Assert.Equal(0, summary.Invocations);
        Assert.Empty(summary.Days);
    }
}
