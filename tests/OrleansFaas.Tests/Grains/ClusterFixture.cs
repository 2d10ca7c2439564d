using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansFaas.Grains.Hosting;
using OrleansFaas.Grains.Placement;
using OrleansFaas.Grains.Storage;

namespace OrleansFaas.Tests.Grains;

/// <summary>One shared two-silo TestCluster (in-process silos, memory storage) for the grain tests.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    /// <summary>One ledger store for both in-process silos, as Redis would be (tests write to it directly).</summary>
    public static readonly OrleansFaas.Grains.Billing.MemoryUsageStore UsageStore = new();

    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder { Options = { InitialSilosCount = 2 } };
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            silo.AddMemoryGrainStorage(StorageNames.Functions);
            silo.AddPlacementDirector<SiloTargetedPlacement, SiloTargetedPlacementDirector>();
            silo.ConfigureServices(services =>
            {
                services.AddSingleton(new PoolSettings { KeepAlive = TimeSpan.FromMinutes(10) });
                services.AddSingleton(new BillingSettings());
                services.AddSingleton(new ConcurrencySettings { AccountLimit = 50, UnreservedMinimum = 10 });
                services.AddSingleton<ICodeStore, MemoryCodeStore>();
                services.AddSingleton<OrleansFaas.Grains.Billing.IUsageStore>(UsageStore);
                services.AddSingleton(TimeProvider.System);
            });
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "grain cluster";
}
