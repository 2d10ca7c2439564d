using Orleans.Concurrency;
using OrleansFaas.Abstractions.Grains;
using OrleansFaas.Abstractions.Model;
using OrleansFaas.Grains.Hosting;
using OrleansFaas.Grains.Storage;

namespace OrleansFaas.Grains.Billing;

/// <summary>
/// One function's ledger. Reentrant for group commit: records arriving while a write is under way are
/// applied in memory at once and made durable together by the next single write; each caller's
/// <see cref="Record"/> returns only after a write that contains its record has completed.
/// Interleaving was read for every method: state is only mutated synchronously within a turn, and writes are
/// serialized through <see cref="_writing"/>.
/// </summary>
[Reentrant]
public sealed class BillingLedgerGrain(
    [PersistentState("ledger", StorageNames.Billing)] IPersistentState<BillingLedgerState> state,
    BillingSettings prices) : Grain, IBillingLedgerGrain
{
    /// <summary>How many recent request ids are kept for deduplication.</summary>
    public const int DedupWindow = 20_000;

    private HashSet<string>? _recent;
    private Task _writing = Task.CompletedTask;
    private Task? _nextWrite;

    public Task Record(UsageRecord usage)
    {
        _recent ??= new HashSet<string>(state.State.RecentRequestIds, StringComparer.Ordinal);
        if (!_recent.Add(usage.RequestId))
        {
            return _nextWrite ?? _writing; // already recorded: durable once the write holding it completes
        }
        state.State.RecentRequestIds.Add(usage.RequestId);
        if (state.State.RecentRequestIds.Count > DedupWindow)
        {
            var drop = state.State.RecentRequestIds.Count - DedupWindow;
            foreach (var id in state.State.RecentRequestIds.Take(drop))
            {
                _recent.Remove(id);
            }
            state.State.RecentRequestIds.RemoveRange(0, drop);
        }
        var day = BillingRules.Day(usage.Timestamp);
        if (!state.State.Days.TryGetValue(day, out var totals))
        {
            state.State.Days[day] = totals = new BillingDayTotals();
        }
        totals.Invocations++;
        totals.BilledMs += usage.BilledMs;
        totals.GbSeconds += BillingRules.GbSeconds(usage.BilledMs, usage.MemoryMb);
        return _nextWrite ??= WriteAfterCurrentAsync();
    }

    private async Task WriteAfterCurrentAsync()
    {
        await _writing;
        _nextWrite = null; // records from here on join the following write
        _writing = state.WriteStateAsync();
        await _writing;
    }

    public Task<BillingSummary> GetSummary()
    {
        var days = state.State.Days.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d =>
            new BillingDay(d.Key, d.Value.Invocations, d.Value.BilledMs, d.Value.GbSeconds,
                BillingRules.RequestCost(d.Value.Invocations, prices) + BillingRules.ComputeCost(d.Value.GbSeconds, prices)))
            .ToList();
        var invocations = days.Sum(d => d.Invocations);
        var gbSeconds = days.Sum(d => d.GbSeconds);
        return Task.FromResult(new BillingSummary
        {
            Function = this.GetPrimaryKeyString(),
            Invocations = invocations,
            BilledMs = days.Sum(d => d.BilledMs),
            GbSeconds = gbSeconds,
            RequestCost = BillingRules.RequestCost(invocations, prices),
            ComputeCost = BillingRules.ComputeCost(gbSeconds, prices),
            GranularityMs = prices.GranularityMs,
            Days = days,
        });
    }
}
