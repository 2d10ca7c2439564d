using System.Net;
using OrleansFaas.Grains.Pool;

namespace OrleansFaas.Tests.Unit;

public class PoolSchedulerTests
{
    private static readonly SiloAddress SiloA = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11111), 1);
    private static readonly SiloAddress SiloB = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11112), 1);

    [Fact]
    public void ColdStartsWhenThereIsNoInstance()
    {
        var (decision, instance) = PoolScheduler.Acquire([], SiloA, "r1");
        Assert.Equal(AcquireDecision.ColdStart, decision);
        Assert.Null(instance);
    }

    [Fact]
    public void ReusesAnIdleInstanceOnTheCallersSilo()
    {
        var idle = new PooledInstance("i1", SiloA, "r1");
        var (decision, instance) = PoolScheduler.Acquire([idle], SiloA, "r1");
        Assert.Equal(AcquireDecision.ReuseIdle, decision);
        Assert.Same(idle, instance);
    }

    [Fact]
    public void NeverReusesABusyInstance()
    {
        var busy = new PooledInstance("i1", SiloA, "r1") { Busy = true };
        Assert.Equal(AcquireDecision.ColdStart, PoolScheduler.Acquire([busy], SiloA, "r1").Decision);
    }

    [Fact]
    public void NeverCrossesSilosForAWorkerCall()
    {
        var elsewhere = new PooledInstance("i1", SiloB, "r1");
        Assert.Equal(AcquireDecision.ColdStart, PoolScheduler.Acquire([elsewhere], SiloA, "r1").Decision);
    }

    [Fact]
    public void NeverReusesAnInstanceOfAnOlderRevision()
    {
        var stale = new PooledInstance("i1", SiloA, "r0");
        Assert.Equal(AcquireDecision.ColdStart, PoolScheduler.Acquire([stale], SiloA, "r1").Decision);
    }

    [Fact]
    public void PrefersTheMostRecentlyUsedIdleInstance()
    {
        var older = new PooledInstance("old", SiloA, "r1") { LastUsedTicks = 100 };
        var newer = new PooledInstance("new", SiloA, "r1") { LastUsedTicks = 200 };
        Assert.Equal("new", PoolScheduler.Acquire([older, newer], SiloA, "r1").Instance!.Id);
    }

    [Fact]
    public void RetiresIdleInstancesPastTheKeepAliveOrStale()
    {
        var instance = new PooledInstance("i1", SiloA, "r1");
        Assert.True(PoolScheduler.ShouldRetire(instance, "r1", TimeSpan.FromMinutes(11), TimeSpan.FromMinutes(10)));
        Assert.False(PoolScheduler.ShouldRetire(instance, "r1", TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10)));
        Assert.True(PoolScheduler.ShouldRetire(instance, "r2", TimeSpan.Zero, TimeSpan.FromMinutes(10)));
        instance.Busy = true;
        Assert.False(PoolScheduler.ShouldRetire(instance, "r2", TimeSpan.FromHours(1), TimeSpan.FromMinutes(10)));
    }
}

public class ProvisionedPlanTests
{
    private static readonly SiloAddress A = SiloAddress.New(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 11111), 1);
    private static readonly SiloAddress B = SiloAddress.New(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 11112), 1);

    [Fact]
    public void SpreadsMissingProvisionedInstancesOverTheActiveSilos()
    {
        var plan = PoolScheduler.PlanProvisioned([], "r1", 4, [A, B]);

        Assert.Equal(4, plan.Count);
        Assert.Equal(2, plan.Count(s => s.Equals(A)));
        Assert.Equal(2, plan.Count(s => s.Equals(B)));
    }

    [Fact]
    public void StartsOnlyWhatIsMissingAndIgnoresStaleOnes()
    {
        var existing = new[]
        {
            new PooledInstance("p1", A, "r1") { Provisioned = true },
            new PooledInstance("old", A, "r0") { Provisioned = true },
            new PooledInstance("demand", B, "r1"),
        };

        var plan = PoolScheduler.PlanProvisioned(existing, "r1", 2, [A, B]);

        Assert.Equal([B], plan);
    }

    [Fact]
    public void NeverRetiresAnIdleProvisionedInstanceByKeepAlive()
    {
        var provisioned = new PooledInstance("p", A, "r1") { Provisioned = true };

        Assert.False(PoolScheduler.ShouldRetire(provisioned, "r1", TimeSpan.FromHours(5), TimeSpan.FromMinutes(10)));
        Assert.True(PoolScheduler.ShouldRetire(provisioned, "r2", TimeSpan.Zero, TimeSpan.FromMinutes(10)));
    }
}

public class SiloCapacityTests
{
    private static IdleCandidate Idle(string id, long lastUsed, int memory = 128) => new(id, "fn", memory, lastUsed);

    [Fact]
    public void AdmitsAColdStartThatFitsTheBudget() =>
        Assert.Equal(CapacityDecision.Admit, SiloCapacity.Decide(768, 1024, 256, [Idle("a", 1)], waitedLongEnough: false).Decision);

    [Fact]
    public void EvictsTheIdleInstanceUsedLongestAgoFirstWhenFull()
    {
        var (decision, order) = SiloCapacity.Decide(1024, 1024, 128, [Idle("recent", 300), Idle("oldest", 100), Idle("middle", 200)], waitedLongEnough: false);

        Assert.Equal(CapacityDecision.Evict, decision);
        Assert.Equal(["oldest", "middle", "recent"], order.Select(c => c.InstanceId));
    }

    [Fact]
    public void WaitsWhenFullOfBusyInstancesThenThrottles()
    {
        Assert.Equal(CapacityDecision.Wait, SiloCapacity.Decide(1024, 1024, 128, [], waitedLongEnough: false).Decision);
        Assert.Equal(CapacityDecision.Throttle, SiloCapacity.Decide(1024, 1024, 128, [], waitedLongEnough: true).Decision);
    }

    [Fact]
    public void ThrottlesAtOnceWhatCouldNeverFit() =>
        Assert.Equal(CapacityDecision.Throttle, SiloCapacity.Decide(0, 1024, 2048, [Idle("a", 1)], waitedLongEnough: false).Decision);
}
