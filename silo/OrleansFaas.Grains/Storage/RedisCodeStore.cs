using StackExchange.Redis;

namespace OrleansFaas.Grains.Storage;

/// <summary>Cluster mode: packages live in Redis under <c>faas:code:&lt;sha256&gt;</c>, shared by every silo.</summary>
public sealed class RedisCodeStore(IConnectionMultiplexer redis) : ICodeStore
{
    private static RedisKey Key(string sha256) => "faas:code:" + sha256;

    public async Task PutAsync(string sha256, byte[] zip) =>
        await redis.GetDatabase().StringSetAsync(Key(sha256), zip, when: When.NotExists);

    public async Task<byte[]?> GetAsync(string sha256)
    {
        var value = await redis.GetDatabase().StringGetAsync(Key(sha256));
        return value.IsNull ? null : (byte[]?)value;
    }
}
