using OrleansFaas.Abstractions.Grains;
using OrleansFaas.Abstractions.Model;
using OrleansFaas.Tests.Unit;

namespace OrleansFaas.Tests.Grains;

/// <summary>Reserved and account-wide concurrency (the fixture's account limit is 50, unreserved minimum 10).</summary>
[Collection(ClusterCollection.Name)]
public class ConcurrencyTests(ClusterFixture fixture)
{
    private static readonly byte[] Code = CodePackageTests.Zip(("app.py", "def handler(e, c):\n    return 1\n"));

    private SiloAddress Silo => fixture.Cluster.Silos[0].SiloAddress;

    private async Task<IInstancePoolGrain> NewFunctionAsync(int? reserved)
    {
        var name = "conc-" + Guid.NewGuid().ToString("N")[..12];
        await fixture.Cluster.GrainFactory.GetGrain<IFunctionGrain>(name)
            .Create(new CreateFunction { Handler = "app.handler", CodeZip = Code, ReservedConcurrency = reserved });
        return fixture.Cluster.GrainFactory.GetGrain<IInstancePoolGrain>(name);
    }

    [Fact]
    public async Task ReservedConcurrencyZeroThrottlesEveryInvocation()
    {
        var pool = await NewFunctionAsync(reserved: 0);

        var e = await Assert.ThrowsAsync<FaasException>(() => pool.Acquire(Silo));

        Assert.Equal(FaasErrorCode.ResourceExhausted, e.Code);
        Assert.Contains(ThrottleReasons.ReservedFunction, e.Message);
    }

    [Fact]
    public async Task ReservedConcurrencyCapsConcurrentInstancesAndFreesSlotsOnRelease()
    {
        var pool = await NewFunctionAsync(reserved: 2);
        var first = await pool.Acquire(Silo);
        var second = await pool.Acquire(Silo);

        var third = await Assert.ThrowsAsync<FaasException>(() => pool.Acquire(Silo));
        await pool.Release(first.InstanceId, healthy: true);
        await WaitUntilAsync(async () => (await pool.GetSnapshot()).Instances.Any(i => !i.Busy)); // Release is one-way
        var reused = await pool.Acquire(Silo);
        await pool.Release(second.InstanceId, healthy: false); // the instance is gone: its slot is free
        await WaitUntilAsync(async () => (await pool.GetSnapshot()).Instances.Count == 1);
        var fresh = await pool.Acquire(Silo);

        Assert.Contains("reserved concurrency of 2", third.Message);
        Assert.False(reused.Cold);
        Assert.True(fresh.Cold);
    }

    [Fact]
    public async Task ReservationsMayNotEatIntoTheUnreservedMinimum()
    {
        var e = await Assert.ThrowsAsync<FaasException>(() => NewFunctionAsync(reserved: 45));

        Assert.Equal(FaasErrorCode.InvalidArgument, e.Code);
        Assert.Contains("below its minimum value of [10]", e.Message);
    }

    [Fact]
    public async Task TheAccountLimitThrottlesUnreservedFunctionsWithItsReason()
    {
        var account = fixture.Cluster.GrainFactory.GetGrain<IConcurrencyAccountGrain>("limit-" + Guid.NewGuid().ToString("N"));
        for (var i = 0; i < 50; i++)
        {
            Assert.True((await account.TryAcquire("fn-" + (i % 3))).Granted);
        }

        var refused = await account.TryAcquire("other");
        await account.Release("fn-0", 1);
        await WaitForInUseAsync(account, 49); // Release is one-way
        var afterRelease = await account.TryAcquire("other");

        Assert.False(refused.Granted);
        Assert.Equal(ThrottleReasons.Account, refused.Reason);
        Assert.Contains("concurrency limit of 50", refused.ToException("other").Message);
        Assert.True(afterRelease.Granted);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100 && !await condition(); i++)
        {
            await Task.Delay(50);
        }
    }

    private static async Task WaitForInUseAsync(IConcurrencyAccountGrain account, int inUse)
    {
        for (var i = 0; i < 100 && (await account.GetUsage()).InUse != inUse; i++)
        {
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task AReservationIsKeptOutOfReachOfOtherFunctions()
    {
        var account = fixture.Cluster.GrainFactory.GetGrain<IConcurrencyAccountGrain>("reserve-" + Guid.NewGuid().ToString("N"));
        await account.Reserve("vip", 30);

        for (var i = 0; i < 20; i++)
        {
            Assert.True((await account.TryAcquire("crowd")).Granted);
        }
        var crowdRefused = await account.TryAcquire("crowd");
        var vipGranted = await account.TryAcquire("vip");

        Assert.False(crowdRefused.Granted);
        Assert.True(vipGranted.Granted);
        Assert.Equal(20, (await account.GetUsage()).UnreservedLimit);
    }
}
