using Orleans.Concurrency;
using OrleansFaas.Abstractions.Model;

namespace OrleansFaas.Abstractions.Grains;

/// <summary>
/// The account's concurrency (key "default"): a cluster-wide limit on live instances (default 1,000), and each
/// function's reservation — a cap for that function and a guarantee carved out of the limit. Pools ask for a
/// slot when they start an instance and give it back when the instance goes; warm reuse needs no call here.
/// </summary>
[Alias("faas.IConcurrencyAccountGrain")]
public interface IConcurrencyAccountGrain : IGrainWithStringKey
{
    /// <summary>Sets (or clears, null) a function's reservation; InvalidArgument when it would leave too little unreserved.</summary>
    [Alias("Reserve")]
    Task Reserve(string function, int? reserved);

    /// <summary>A slot for one more instance of <paramref name="function"/>, or the reason it is throttled.</summary>
    [Alias("TryAcquire")]
    Task<SlotGrant> TryAcquire(string function);

    /// <summary>Counts instances a pool learned back (after a reactivation) without checking limits.</summary>
    [Alias("Adopt"), OneWay]
    Task Adopt(string function, int count);

    [Alias("Release"), OneWay]
    Task Release(string function, int count);

    [Alias("GetUsage")]
    Task<AccountUsage> GetUsage();
}
