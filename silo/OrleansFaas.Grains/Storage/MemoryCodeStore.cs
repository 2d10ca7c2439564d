using System.Collections.Concurrent;

namespace OrleansFaas.Grains.Storage;

/// <summary>Dev mode: packages live in this process only.</summary>
public sealed class MemoryCodeStore : ICodeStore
{
    private readonly ConcurrentDictionary<string, byte[]> _packages = new(StringComparer.Ordinal);

    public Task PutAsync(string sha256, byte[] zip)
    {
        _packages.TryAdd(sha256, zip);
        return Task.CompletedTask;
    }

    public Task<byte[]?> GetAsync(string sha256) =>
        Task.FromResult(_packages.TryGetValue(sha256, out var zip) ? zip : null);
}
