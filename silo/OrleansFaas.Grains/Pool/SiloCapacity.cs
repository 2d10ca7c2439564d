namespace OrleansFaas.Grains.Pool;

/// <summary>What a cold start on a silo should do about the silo's memory budget.</summary>
public enum CapacityDecision
{
    /// <summary>It fits: count its memory and start it.</summary>
    Admit,
    /// <summary>The silo is full but has idle instances: evict them, used longest ago first, then ask again.</summary>
    Evict,
    /// <summary>Full of busy instances: wait for one to finish (bounded).</summary>
    Wait,
    /// <summary>Waited long enough, or it could never fit: throttle.</summary>
    Throttle,
}

/// <summary>An idle instance a full silo could evict.</summary>
public readonly record struct IdleCandidate(string InstanceId, string Function, int MemoryMb, long LastUsedTicks);

/// <summary>
/// The memory-budget decision of one silo (as OpenWhisk's invoker user memory), a pure function: the sum of
/// the memory sizes of a silo's instances stays within its budget; when full, the idle instance used
/// longest ago (of any function) goes first; when nothing idle is left, wait a bounded time, then throttle.
/// </summary>
public static class SiloCapacity
{
    public static (CapacityDecision Decision, IReadOnlyList<IdleCandidate> EvictionOrder) Decide(
        int usedMb, int budgetMb, int neededMb, IEnumerable<IdleCandidate> idle, bool waitedLongEnough)
    {
        if (neededMb > budgetMb)
        {
            return (CapacityDecision.Throttle, []);
        }
        if (usedMb + neededMb <= budgetMb)
        {
            return (CapacityDecision.Admit, []);
        }
        var order = idle.OrderBy(c => c.LastUsedTicks).ToList();
        if (order.Count > 0)
        {
            return (CapacityDecision.Evict, order);
        }
        return (waitedLongEnough ? CapacityDecision.Throttle : CapacityDecision.Wait, []);
    }
}
