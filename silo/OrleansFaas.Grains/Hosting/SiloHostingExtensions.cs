using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Persistence;
using Orleans.Serialization;
using Orleans.Storage;
using OrleansFaas.Grains.Logs;
using OrleansFaas.Grains.Billing;
using OrleansFaas.Grains.Async;
using OrleansFaas.Grains.Packages;
using OrleansFaas.Grains.Placement;
using OrleansFaas.Grains.Storage;
using OrleansFaas.Grains.Workers;
using StackExchange.Redis;

namespace OrleansFaas.Grains.Hosting;

/// <summary>The one silo configuration, switched by environment: dev mode (FAAS_REDIS unset) or cluster mode.</summary>
public static class SiloHostingExtensions
{
    public const string ServiceId = "orleansfaas";

    /// <summary>
    /// Orleans gives up on a call after 30 s by default; an invocation may legitimately run for the longest
    /// function timeout (900 s) plus its init, so calls wait longer. A dead silo's calls still fail at once.
    /// </summary>
    public static readonly TimeSpan InvocationResponseTimeout = TimeSpan.FromMinutes(16);

    /// <summary>Hosts an OrleansFaas silo (grains and worker host) in this process.</summary>
    public static IHostApplicationBuilder AddFaasSilo(this IHostApplicationBuilder builder)
    {
        builder.AddFaasLoggingDefaults();
        var cluster = ClusterSettings.FromEnvironment();
        var workers = WorkerSettings.FromEnvironment(cluster);
        var services = builder.Services;
        services.AddSingleton(cluster);
        services.AddSingleton(workers);
        services.AddSingleton(PoolSettings.FromEnvironment());
        services.AddSingleton(BillingSettings.FromEnvironment());
        services.AddSingleton(ConcurrencySettings.FromEnvironment());
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ProcessSpawner>();
        services.AddSingleton<PackageCache>();
        services.AddSingleton<WorkerLauncher>();
        services.AddSingleton<StemCellPool>();
        services.AddSingleton<MemoryWatchdog>();
        services.AddSingleton<WorkerHost>();
        services.AddSingleton<UsageRecorder>();
        services.AddHostedService<InstanceSweeper>();
        services.AddHostedService<WorkerHostService>();
        services.AddSingleton(LogSettings.FromEnvironment());
        services.AddSingleton<ActivationLogWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<ActivationLogWriter>());

        if (cluster.IsDevMode)
        {
            services.AddSingleton<ICodeStore, MemoryCodeStore>();
            services.AddSingleton<IAsyncQueue, MemoryAsyncQueue>();
            services.AddSingleton<IUsageStore, MemoryUsageStore>();
            services.AddSingleton<IActivationLog, MemoryActivationLog>();
        }
        else
        {
            services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(cluster.Redis!));
            services.AddSingleton<ICodeStore, RedisCodeStore>();
            services.AddSingleton<IAsyncQueue, RedisAsyncQueue>();
            services.AddSingleton<IUsageStore, RedisUsageStore>();
            services.AddSingleton<IActivationLog, RedisActivationLog>();
        }

        services.AddSingleton(AsyncSettings.FromEnvironment());
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = ServiceId;
            });
            silo.Configure<SiloOptions>(o => o.SiloName = cluster.SiloName);
            silo.AddPlacementDirector<SiloTargetedPlacement, SiloTargetedPlacementDirector>();
            // Large code packages travel in the create/update call.
            silo.Configure<SiloMessagingOptions>(o =>
            {
                o.MaxMessageBodySize = 128 * 1024 * 1024;
                o.ResponseTimeout = InvocationResponseTimeout;
            });
            if (cluster.IsDevMode)
            {
                silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort);
                silo.AddMemoryGrainStorage(StorageNames.Functions);
                silo.UseInMemoryReminderService();
            }
            else
            {
                var redis = ConfigurationOptions.Parse(cluster.Redis!);
                silo.UseRedisClustering(o => o.ConfigurationOptions = redis);
                silo.AddRedisGrainStorage(StorageNames.Functions, o => o.Configure<Serializer>((opt, s) => ConfigureRedisStorage(opt, s, redis)));
                silo.UseRedisReminderService(o => o.ConfigurationOptions = redis);
                silo.ConfigureEndpoints(cluster.AdvertisedAddress, cluster.SiloPort, cluster.GatewayPort,
                    listenOnAnyHostAddress: FaasSettings.Get("FAAS_LISTEN_ANY") == "1");
            }
        });
        // After UseOrleans: the async consumer starts once the silo runs and stops before it stops.
        services.AddHostedService<AsyncEventConsumer>();
        return builder;
    }

    private static void ConfigureRedisStorage(RedisStorageOptions options, Serializer serializer, ConfigurationOptions redis)
    {
        options.ConfigurationOptions = redis;
        options.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
    }
}
