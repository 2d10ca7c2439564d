using OrleansFaas.Grains.Billing;
using OrleansFaas.Tests.Unit;
using StackExchange.Redis;

namespace OrleansFaas.Tests.EndToEnd;

/// <summary>A real redis-server for the Redis ledger store's contract tests.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private string _dir = "";
    public RedisServer Server { get; private set; } = null!;
    public ConnectionMultiplexer Connection { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _dir = Path.Combine(Path.GetTempPath(), "faas-redis-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_dir);
        Server = await RedisServer.StartAsync(_dir);
        Connection = await ConnectionMultiplexer.ConnectAsync(Server.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await Connection.DisposeAsync();
        await Server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}

public class RedisUsageStoreTests(RedisFixture redis) : UsageStoreContract, IClassFixture<RedisFixture>
{
    protected override IUsageStore CreateStore() => new RedisUsageStore(redis.Connection);
}
