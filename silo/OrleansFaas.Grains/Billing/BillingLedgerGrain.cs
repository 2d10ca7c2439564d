using OrleansFaas.Abstractions.Grains;
using OrleansFaas.Abstractions.Model;
using OrleansFaas.Grains.Hosting;

namespace OrleansFaas.Grains.Billing;

/// <summary>Prices one function's usage from the ledger store (see <see cref="UsageRecorder"/> for how it is written).</summary>
public sealed class BillingLedgerGrain(IUsageStore store, BillingSettings prices) : Grain, IBillingLedgerGrain
{
    public async Task<BillingSummary> GetSummary()
    {
        var usage = await store.GetDaysAsync(this.GetPrimaryKeyString());
        var days = usage.Select(d =>
        {
            var gbSeconds = BillingRules.GbSeconds(d.MbMilliseconds);
            return new BillingDay(d.Day, d.Invocations, d.BilledMs, gbSeconds,
                BillingRules.RequestCost(d.Invocations, prices) + BillingRules.ComputeCost(gbSeconds, prices));
        }).ToList();
        var invocations = days.Sum(d => d.Invocations);
        var gbSecondsTotal = BillingRules.GbSeconds(usage.Sum(d => d.MbMilliseconds));
        return new BillingSummary
        {
            Function = this.GetPrimaryKeyString(),
            Invocations = invocations,
            BilledMs = days.Sum(d => d.BilledMs),
            GbSeconds = gbSecondsTotal,
            RequestCost = BillingRules.RequestCost(invocations, prices),
            ComputeCost = BillingRules.ComputeCost(gbSecondsTotal, prices),
            GranularityMs = prices.GranularityMs,
            Days = days,
        };
    }
}
