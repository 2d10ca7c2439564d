namespace OrleansFaas.Grains.Pool;

/// <summary>A pool's record of one instance.</summary>
public sealed class PooledInstance(string id, SiloAddress silo, string revisionId)
{
    public string Id { get; } = id;
    public SiloAddress Silo { get; } = silo;
    public string RevisionId { get; } = revisionId;
    public bool Busy { get; set; }
    public long LastUsedTicks { get; set; } = Environment.TickCount64;
}

/// <summary>What the pool should do for an acquire.</summary>
public enum AcquireDecision
{
    /// <summary>Reuse the chosen idle instance on the caller's silo.</summary>
    ReuseIdle,
    /// <summary>Start a new instance on the caller's silo.</summary>
    ColdStart,
}

/// <summary>
/// The pool's scheduling decisions as pure functions over plain data, tested without a cluster.
/// An invocation runs on the silo that received it, so the worker call never crosses machines.
/// </summary>
public static class PoolScheduler
{
    /// <summary>
    /// Reuse the most recently used idle instance of the current revision on <paramref name="silo"/>
    /// (most recent first, so surplus instances age out by keep-alive); otherwise cold start there.
    /// </summary>
    public static (AcquireDecision Decision, PooledInstance? Instance) Acquire(
        IEnumerable<PooledInstance> instances, SiloAddress silo, string revisionId)
    {
        PooledInstance? best = null;
        foreach (var instance in instances)
        {
            if (!instance.Busy && instance.RevisionId == revisionId && instance.Silo.Equals(silo)
                && (best is null || instance.LastUsedTicks > best.LastUsedTicks))
            {
                best = instance;
            }
        }
        return best is null ? (AcquireDecision.ColdStart, null) : (AcquireDecision.ReuseIdle, best);
    }

    /// <summary>Whether a sweep retires an instance the pool knows: idle and past the keep-alive, or stale.</summary>
    public static bool ShouldRetire(PooledInstance instance, string? currentRevision, TimeSpan idleFor, TimeSpan keepAlive) =>
        !instance.Busy && (instance.RevisionId != currentRevision || idleFor >= keepAlive);
}
