using OrleansFaas.Abstractions.Grains;
using OrleansFaas.Abstractions.Model;

namespace OrleansFaas.Tests.Grains;

[Collection(ClusterCollection.Name)]
public class BillingLedgerGrainTests(ClusterFixture fixture)
{
    private IBillingLedgerGrain NewLedger() =>
        fixture.Cluster.GrainFactory.GetGrain<IBillingLedgerGrain>("ledger-" + Guid.NewGuid().ToString("N")[..12]);

    private static readonly DateTimeOffset Day1 = new(2026, 11, 28, 23, 59, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Day2 = new(2026, 11, 29, 0, 1, 0, TimeSpan.Zero);

    [Fact]
    public async Task SumsInvocationsBilledTimeAndGbSeconds()
    {
        var ledger = NewLedger();
        await ledger.Record(new UsageRecord("r1", 100, 128, Day1));
        await ledger.Record(new UsageRecord("r2", 1000, 1024, Day1));

        var summary = await ledger.GetSummary();

        Assert.Equal(2, summary.Invocations);
        Assert.Equal(1100, summary.BilledMs);
        Assert.Equal(0.1 * 0.125 + 1.0, summary.GbSeconds, 9);
        Assert.Equal(2 * 0.20 / 1_000_000, summary.RequestCost, 12);
        Assert.Equal(summary.GbSeconds * 0.0000166667, summary.ComputeCost, 12);
        Assert.Equal(summary.RequestCost + summary.ComputeCost, summary.Cost, 12);
    }

    [Fact]
    public async Task CountsARequestIdOnlyOnce()
    {
        var ledger = NewLedger();
        await ledger.Record(new UsageRecord("same", 10, 128, Day1));
        await ledger.Record(new UsageRecord("same", 10, 128, Day1));

        var summary = await ledger.GetSummary();

        Assert.Equal(1, summary.Invocations);
        Assert.Equal(10, summary.BilledMs);
    }

    [Fact]
    public async Task KeepsOneRowPerUtcDay()
    {
        var ledger = NewLedger();
        await ledger.Record(new UsageRecord("a", 5, 128, Day1));
        await ledger.Record(new UsageRecord("b", 7, 128, Day2));
        await ledger.Record(new UsageRecord("c", 9, 128, Day2));

        var days = (await ledger.GetSummary()).Days;

        Assert.Equal(["2026-11-28", "2026-11-29"], days.Select(d => d.Date));
        Assert.Equal([1L, 2L], days.Select(d => d.Invocations));
        Assert.Equal([5L, 16L], days.Select(d => d.BilledMs));
    }

    [Fact]
    public async Task ConcurrentRecordsAreAllCountedByGroupCommit()
    {
        var ledger = NewLedger();

        await Task.WhenAll(Enumerable.Range(0, 500).Select(i => ledger.Record(new UsageRecord($"req-{i}", 3, 256, Day2))));

        var summary = await ledger.GetSummary();
        Assert.Equal(500, summary.Invocations);
        Assert.Equal(1500, summary.BilledMs);
    }
}
