using OrleansFaas.Abstractions.Model;

namespace OrleansFaas.Abstractions.Grains;

/// <summary>
/// One function's usage ledger (keyed by function name): invocations, billed milliseconds, GB-seconds
/// and cost, per day. Each request id is counted once; a record is durable when <see cref="Record"/> returns.
/// </summary>
[Alias("faas.IBillingLedgerGrain")]
public interface IBillingLedgerGrain : IGrainWithStringKey
{
    [Alias("Record")]
    Task Record(UsageRecord usage);

    [Alias("GetSummary")]
    Task<BillingSummary> GetSummary();
}
