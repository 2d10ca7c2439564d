namespace OrleansFaas.Grains.Billing;

/// <summary>Dev mode: the ledger of this process (same rules as <see cref="RedisUsageStore"/>).</summary>
public sealed class MemoryUsageStore : IUsageStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Function, string Key), (UsageStep Step, long MinimumMs, int MemoryMb, string Day)> _entries = [];
    private readonly Dictionary<(string Function, string Day), long[]> _days = [];

    public Task ApplyAsync(IReadOnlyList<UsageEntry> batch)
    {
        lock (_lock)
        {
            foreach (var entry in batch)
            {
                Apply(entry);
            }
        }
        return Task.CompletedTask;
    }

    private void Apply(UsageEntry e)
    {
        var found = _entries.TryGetValue((e.Function, e.RequestKey), out var state);
        switch (e.Step)
        {
            case UsageStep.Begin when !found:
                _entries[(e.Function, e.RequestKey)] = (UsageStep.Begin, e.BilledMs, e.MemoryMb, e.Day);
                Add(e.Function, e.Day, 1, e.BilledMs, e.MemoryMb);
                break;
            case UsageStep.Complete when !found:
                _entries[(e.Function, e.RequestKey)] = (UsageStep.Complete, 0, e.MemoryMb, e.Day);
                Add(e.Function, e.Day, 1, e.BilledMs, e.MemoryMb);
                break;
            case UsageStep.Complete when state.Step == UsageStep.Begin:
                _entries[(e.Function, e.RequestKey)] = state with { Step = UsageStep.Complete };
                Add(e.Function, state.Day, 0, Math.Max(0, e.BilledMs - state.MinimumMs), state.MemoryMb);
                break;
            case UsageStep.Cancel when found && state.Step == UsageStep.Begin:
                _entries.Remove((e.Function, e.RequestKey));
                Add(e.Function, state.Day, -1, -state.MinimumMs, state.MemoryMb);
                break;
        }
    }

    private void Add(string function, string day, long invocations, long billedMs, int memoryMb)
    {
        if (!_days.TryGetValue((function, day), out var totals))
        {
            _days[(function, day)] = totals = new long[3];
        }
        totals[0] += invocations;
        totals[1] += billedMs;
        totals[2] += billedMs * memoryMb;
    }

    public Task<IReadOnlyList<UsageDay>> GetDaysAsync(string function)
    {
        lock (_lock)
        {
            IReadOnlyList<UsageDay> days = _days.Where(kv => kv.Key.Function == function && kv.Value[0] > 0)
                .Select(kv => new UsageDay(kv.Key.Day, kv.Value[0], kv.Value[1], kv.Value[2]))
                .OrderBy(d => d.Day, StringComparer.Ordinal)
                .ToList();
            return Task.FromResult(days);
        }
    }
}
