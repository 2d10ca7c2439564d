using Orleans.Concurrency;
using OrleansFaas.Abstractions.Model;

namespace OrleansFaas.Abstractions.Grains;

/// <summary>
/// The single authority over one function's warm instances across the cluster (keyed by function name):
/// which instances exist on which silo, which are busy, and which may be reused. Instances themselves are
/// processes owned by each silo's worker host; the pool only hands out leases on them.
/// Contract with the worker hosts:
///  1. <see cref="Acquire"/> returns a lease: an idle instance on the caller's silo (warm), or a fresh
///     instance id the caller must start there (cold). Either way the instance counts as busy.
///  2. The caller releases every lease exactly once with <see cref="Release"/>; unhealthy instances are forgotten.
///  3. Each silo periodically reports its instances to <see cref="Sweep"/>, and stops those the pool
///     retires (idle past the keep-alive, started for an older revision, or unknown to the pool).
///  4. <see cref="Invalidate"/> (from the function grain) makes every existing instance stale.
/// </summary>
[Alias("faas.IInstancePoolGrain")]
public interface IInstancePoolGrain : IGrainWithStringKey
{
    /// <summary>A lease for one invocation on <paramref name="silo"/>; NotFound when the function does not exist.</summary>
    [Alias("Acquire")]
    Task<InstanceLease> Acquire(SiloAddress silo);

    /// <summary>Ends a lease. An unhealthy instance (crashed, timed out, failed to load) is forgotten.</summary>
    [Alias("Release"), OneWay]
    Task Release(string instanceId, bool healthy);

    /// <summary>
    /// Takes every instance of this function that <paramref name="silo"/> runs; returns the ids the silo must
    /// stop. Instances the pool does not know but could use (current revision) are adopted, so a pool that was
    /// deactivated and reactivated learns its instances back.
    /// </summary>
    [Alias("Sweep")]
    Task<IReadOnlyList<string>> Sweep(SiloAddress silo, IReadOnlyList<InstanceReport> instances);

    /// <summary>
    /// A silo wants to stop an idle instance to free memory (eviction). True when the pool agrees (the
    /// instance is idle, or unknown) and has forgotten it; false when it is leased.
    /// </summary>
    [Alias("TryRetire")]
    Task<bool> TryRetire(string instanceId);

    /// <summary>The definition changed (or was deleted, null): no existing instance is reused.</summary>
    [Alias("Invalidate")]
    Task Invalidate(FunctionDefinition? definition);

    [Alias("GetSnapshot")]
    Task<PoolSnapshot> GetSnapshot();
}
