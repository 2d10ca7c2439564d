using System.Collections.Concurrent;
using OrleansFaas.Abstractions.Model;
using OrleansFaas.Grains.Hosting;
using OrleansFaas.Grains.Storage;

namespace OrleansFaas.Grains.Packages;

/// <summary>
/// Unpacks each code package once per silo into <c>&lt;data&gt;/packages/&lt;sha256&gt;</c>, shared read-only
/// by every instance of every function that uses it. Unpacking goes to a temporary folder renamed into place,
/// so a crash never leaves a half-written package that looks complete.
/// </summary>
public sealed class PackageCache(ICodeStore store, WorkerSettings settings)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _unpacked = new(StringComparer.Ordinal);

    private string Root => Path.Combine(settings.DataDirectory, "packages");

    /// <summary>The folder holding the unpacked package.</summary>
    public Task<string> GetDirectoryAsync(string sha256)
    {
        var lazy = _unpacked.GetOrAdd(sha256, sha => new Lazy<Task<string>>(() => UnpackAsync(sha)));
        var task = lazy.Value;
        if (task.IsFaulted)
        {
            _unpacked.TryRemove(new KeyValuePair<string, Lazy<Task<string>>>(sha256, lazy));
        }
        return task;
    }

    private async Task<string> UnpackAsync(string sha256)
    {
        var target = Path.Combine(Root, sha256);
        if (Directory.Exists(target))
        {
            return target;
        }
        var zip = await store.GetAsync(sha256)
            ?? throw new FaasException(FaasErrorCode.Unavailable, $"Code package {sha256} is missing from the code store.");
        var temp = Path.Combine(Root, $".{sha256}.{Guid.NewGuid():N}");
        CodePackage.Extract(zip, temp);
        try
        {
            Directory.Move(temp, target);
        }
        catch (IOException) when (Directory.Exists(target))
        {
            Directory.Delete(temp, recursive: true); // another process of this data dir won the race
        }
        return target;
    }
}
