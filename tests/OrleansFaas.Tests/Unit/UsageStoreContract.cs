using OrleansFaas.Grains.Billing;

namespace OrleansFaas.Tests.Unit;

/// <summary>
/// The ledger's rules, checked against every store (memory here; Redis in the end-to-end suite): a request key
/// is counted once whatever is repeated, a begin bills the minimum until completed, a cancel undoes a begin.
/// </summary>
public abstract class UsageStoreContract
{
    protected abstract IUsageStore CreateStore();

    private const string Day = "2026-11-29";

    private static string Fn() => "fn-" + Guid.NewGuid().ToString("N")[..8];

    private static UsageEntry E(string fn, string key, UsageStep step, long ms, int mem = 128, string day = Day) => new(fn, key, step, ms, mem, day);

    [Fact]
    public async Task ABeginAloneBillsTheMinimumOnce()
    {
        var store = CreateStore();
        var fn = Fn();
        await store.ApplyAsync([E(fn, "r", UsageStep.Begin, 1), E(fn, "r", UsageStep.Begin, 1)]);
        await store.ApplyAsync([E(fn, "r", UsageStep.Begin, 1)]);

        var day = Assert.Single(await store.GetDaysAsync(fn));

        Assert.Equal(1, day.Invocations);
        Assert.Equal(1, day.BilledMs);
        Assert.Equal(128, day.MbMilliseconds);
    }

    [Fact]
    public async Task CompleteReplacesTheMinimumAndIsIdempotent()
    {
        var store = CreateStore();
        var fn = Fn();
        await store.ApplyAsync([E(fn, "r", UsageStep.Begin, 100, 256)]);
        await store.ApplyAsync([E(fn, "r", UsageStep.Complete, 300, 256)]);
        await store.ApplyAsync([E(fn, "r", UsageStep.Complete, 300, 256), E(fn, "r", UsageStep.Begin, 100, 256)]);

        var day = Assert.Single(await store.GetDaysAsync(fn));

        Assert.Equal(1, day.Invocations);
        Assert.Equal(300, day.BilledMs);
        Assert.Equal(300L * 256, day.MbMilliseconds);
    }

    [Fact]
    public async Task CancelUndoesABeginButNeverAComplete()
    {
        var store = CreateStore();
        var fn = Fn();
        await store.ApplyAsync([E(fn, "cancelled", UsageStep.Begin, 1), E(fn, "cancelled", UsageStep.Cancel, 1)]);
        await store.ApplyAsync([E(fn, "done", UsageStep.Begin, 1), E(fn, "done", UsageStep.Complete, 7), E(fn, "done", UsageStep.Cancel, 1)]);

        var day = Assert.Single(await store.GetDaysAsync(fn));

        Assert.Equal(1, day.Invocations);
        Assert.Equal(7, day.BilledMs);
    }

    [Fact]
    public async Task AnAttemptThatBeganYesterdayCompletesOnItsOwnDay()
    {
        var store = CreateStore();
        var fn = Fn();
        await store.ApplyAsync([E(fn, "r", UsageStep.Begin, 1, day: "2026-11-28")]);
        await store.ApplyAsync([E(fn, "r", UsageStep.Complete, 50, day: "2026-11-29")]);

        var day = Assert.Single(await store.GetDaysAsync(fn));

        Assert.Equal("2026-11-28", day.Day);
        Assert.Equal(50, day.BilledMs);
    }

    [Fact]
    public async Task ManyConcurrentKeysAreAllCounted()
    {
        var store = CreateStore();
        var fn = Fn();
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => store.ApplyAsync([E(fn, $"k{i}", UsageStep.Begin, 1), E(fn, $"k{i}", UsageStep.Complete, 3)])));

        var day = Assert.Single(await store.GetDaysAsync(fn));

        Assert.Equal(200, day.Invocations);
        Assert.Equal(600, day.BilledMs);
    }
}

public class MemoryUsageStoreTests : UsageStoreContract
{
    protected override IUsageStore CreateStore() => new MemoryUsageStore();
}
