using OrleansFaas.Abstractions.Grains;
using OrleansFaas.Abstractions.Model;
using OrleansFaas.Tests.Unit;

namespace OrleansFaas.Tests.Grains;

[Collection(ClusterCollection.Name)]
public class InstancePoolGrainTests(ClusterFixture fixture)
{
    private static readonly byte[] Code = CodePackageTests.Zip(("app.py", "def handler(e, c):\n    return 1\n"));

    private SiloAddress Silo(int i) => fixture.Cluster.Silos[i].SiloAddress;

    private async Task<(string Name, IInstancePoolGrain Pool)> NewFunctionAsync()
    {
        var name = "pool-" + Guid.NewGuid().ToString("N")[..12];
        await fixture.Cluster.GrainFactory.GetGrain<IFunctionGrain>(name).Create(new CreateFunction { Handler = "app.handler", CodeZip = Code });
        return (name, fixture.Cluster.GrainFactory.GetGrain<IInstancePoolGrain>(name));
    }

    private static async Task ReleaseAndSettleAsync(IInstancePoolGrain pool, string instanceId, bool healthy)
    {
        await pool.Release(instanceId, healthy);
        // Release is one-way: Orleans does not order it before the next call, so wait until the pool shows it.
        for (var i = 0; i < 100; i++)
        {
            var instance = (await pool.GetSnapshot()).Instances.FirstOrDefault(v => v.InstanceId == instanceId);
            if (healthy ? instance is { Busy: false } : instance is null)
            {
                return;
            }
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task FirstAcquireIsAColdStart()
    {
        var (_, pool) = await NewFunctionAsync();

        var lease = await pool.Acquire(Silo(0));

        Assert.True(lease.Cold);
        Assert.Equal("app.handler", lease.Definition.Handler);
    }

    [Fact]
    public async Task ReusesAnIdleInstanceForTheSecondInvocation()
    {
        var (_, pool) = await NewFunctionAsync();
        var first = await pool.Acquire(Silo(0));
        await ReleaseAndSettleAsync(pool, first.InstanceId, healthy: true);

        var second = await pool.Acquire(Silo(0));

        Assert.False(second.Cold);
        Assert.Equal(first.InstanceId, second.InstanceId);
    }

    [Fact]
    public async Task StartsANewInstanceWhenTheOnlyOneIsBusy()
    {
        var (_, pool) = await NewFunctionAsync();
        var first = await pool.Acquire(Silo(0));

        var second = await pool.Acquire(Silo(0));

        Assert.True(second.Cold);
        Assert.NotEqual(first.InstanceId, second.InstanceId);
        Assert.Equal(2, (await pool.GetSnapshot()).Instances.Count(i => i.Busy));
    }

    [Fact]
    public async Task StartsAnInstanceOnTheCallersSiloRatherThanReusingOneElsewhere()
    {
        var (_, pool) = await NewFunctionAsync();
        var onFirst = await pool.Acquire(Silo(0));
        await ReleaseAndSettleAsync(pool, onFirst.InstanceId, healthy: true);

        var onSecond = await pool.Acquire(Silo(1));

        Assert.True(onSecond.Cold);
        var snapshot = await pool.GetSnapshot();
        Assert.Equal(2, snapshot.Instances.Select(i => i.Silo).Distinct().Count());
    }

    [Fact]
    public async Task ForgetsAnInstanceReleasedUnhealthy()
    {
        var (_, pool) = await NewFunctionAsync();
        var first = await pool.Acquire(Silo(0));
        await ReleaseAndSettleAsync(pool, first.InstanceId, healthy: false);

        var second = await pool.Acquire(Silo(0));

        Assert.True(second.Cold);
        Assert.DoesNotContain((await pool.GetSnapshot()).Instances, i => i.InstanceId == first.InstanceId);
    }

    [Fact]
    public async Task AnUpdateMakesIdleInstancesStaleAndTheSweepStopsThem()
    {
        var (name, pool) = await NewFunctionAsync();
        var lease = await pool.Acquire(Silo(0));
        await ReleaseAndSettleAsync(pool, lease.InstanceId, healthy: true);

        await fixture.Cluster.GrainFactory.GetGrain<IFunctionGrain>(name).Update(new UpdateFunction { TimeoutSeconds = 10 });
        var next = await pool.Acquire(Silo(0));
        var retired = await pool.Sweep(Silo(0), [new InstanceReport(lease.InstanceId, lease.Definition.RevisionId, false, TimeSpan.Zero)]);

        Assert.True(next.Cold);
        Assert.Equal(10, next.Definition.TimeoutSeconds);
        Assert.Equal([lease.InstanceId], retired);
    }

    [Fact]
    public async Task SweepRetiresInstancesIdlePastTheKeepAliveAndKeepsFreshOnes()
    {
        var (_, pool) = await NewFunctionAsync();
        var a = await pool.Acquire(Silo(0));
        var b = await pool.Acquire(Silo(0));
        await ReleaseAndSettleAsync(pool, a.InstanceId, healthy: true);
        await ReleaseAndSettleAsync(pool, b.InstanceId, healthy: true);
        var revision = a.Definition.RevisionId;

        var retired = await pool.Sweep(Silo(0),
        [
            new InstanceReport(a.InstanceId, revision, false, TimeSpan.FromMinutes(11)),
            new InstanceReport(b.InstanceId, revision, false, TimeSpan.FromSeconds(5)),
        ]);

        Assert.Equal([a.InstanceId], retired);
        Assert.Equal([b.InstanceId], (await pool.GetSnapshot()).Instances.Select(i => i.InstanceId));
    }

    [Fact]
    public async Task SweepAdoptsAUsableInstanceItDidNotKnow()
    {
        var (_, pool) = await NewFunctionAsync();
        var lease = await pool.Acquire(Silo(0));
        await ReleaseAndSettleAsync(pool, lease.InstanceId, healthy: false); // the pool forgets it

        var retired = await pool.Sweep(Silo(0), [new InstanceReport("adopted", lease.Definition.RevisionId, false, TimeSpan.FromSeconds(1))]);
        var next = await pool.Acquire(Silo(0));

        Assert.Empty(retired);
        Assert.False(next.Cold);
        Assert.Equal("adopted", next.InstanceId);
    }

    [Fact]
    public async Task AcquireForAnUnknownFunctionFailsWithNotFound()
    {
        var pool = fixture.Cluster.GrainFactory.GetGrain<IInstancePoolGrain>("nope-" + Guid.NewGuid().ToString("N"));

        var e = await Assert.ThrowsAsync<FaasException>(() => pool.Acquire(Silo(0)));

        Assert.Equal(FaasErrorCode.NotFound, e.Code);
    }
}
