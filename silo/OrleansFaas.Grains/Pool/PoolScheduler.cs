namespace OrleansFaas.Grains.Pool;

/// <summary>A pool's record of one instance.</summary>
public sealed class PooledInstance(string id, SiloAddress silo, string revisionId)
{
    public string Id { get; } = id;
    public SiloAddress Silo { get; } = silo;
    public string RevisionId { get; } = revisionId;
    public bool Busy { get; set; }
    /// <summary>Kept warm for provisioned concurrency: exempt from keep-alive.</summary>
    public bool Provisioned { get; init; }
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

    /// <summary>
    /// Whether a sweep retires an instance the pool knows: idle and stale, or idle past the keep-alive unless
    /// it is provisioned.
    /// </summary>
    public static bool ShouldRetire(PooledInstance instance, string? currentRevision, TimeSpan idleFor, TimeSpan keepAlive) =>
        !instance.Busy && (instance.RevisionId != currentRevision || (!instance.Provisioned && idleFor >= keepAlive));

    /// <summary>
    /// Silos on which to start the provisioned instances still missing (current revision), spreading them:
    /// each goes to the active silo that has the fewest provisioned instances so far.
    /// </summary>
    public static IReadOnlyList<SiloAddress> PlanProvisioned(
        IEnumerable<PooledInstance> instances, string revisionId, int provisioned, IReadOnlyList<SiloAddress> activeSilos)
    {
        var plan = new List<SiloAddress>();
        if (activeSilos.Count == 0)
        {
            return plan;
        }
        var perSilo = activeSilos.ToDictionary(s => s, _ => 0);
        var existing = 0;
        foreach (var instance in instances)
        {
            if (instance.Provisioned && instance.RevisionId == revisionId)
            {
                existing++;
                if (perSilo.ContainsKey(instance.Silo))
                {
                    perSilo[instance.Silo]++;
                }
            }
        }
        for (var i = existing; i < provisioned; i++)
        {
            var silo = perSilo.OrderBy(kv => kv.Value).ThenBy(kv => kv.Key.ToString(), StringComparer.Ordinal).First().Key;
            perSilo[silo]++;
            plan.Add(silo);
        }
        return plan;
    }
}
