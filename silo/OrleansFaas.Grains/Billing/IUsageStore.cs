namespace OrleansFaas.Grains.Billing;

/// <summary>What happens to one invocation's entry in the ledger.</summary>
public enum UsageStep
{
    /// <summary>Written before user code can run: counts the invocation and the minimum billed unit.</summary>
    Begin,
    /// <summary>The invocation ended: its billed duration replaces the minimum.</summary>
    Complete,
    /// <summary>No user code ran after all (the platform failed first): the begin is undone.</summary>
    Cancel,
}

/// <summary>
/// One step of one invocation. <see cref="RequestKey"/> identifies the attempt (the request id; an async retry
/// appends its attempt number), and makes every step idempotent: a repeated Begin or Complete changes nothing.
/// </summary>
public sealed record UsageEntry(string Function, string RequestKey, UsageStep Step, long BilledMs, int MemoryMb, string Day);

/// <summary>Per-day totals of one function: GB-seconds are kept exact as MB-milliseconds.</summary>
public sealed record UsageDay(string Day, long Invocations, long BilledMs, long MbMilliseconds);

/// <summary>
/// The durable ledger: applies batches of steps atomically and idempotently (Redis in cluster mode, memory in
/// dev mode). Dedup keys live for a few days, long enough for any retry of the same attempt.
/// </summary>
public interface IUsageStore
{
    Task ApplyAsync(IReadOnlyList<UsageEntry> batch);

    Task<IReadOnlyList<UsageDay>> GetDaysAsync(string function);
}
