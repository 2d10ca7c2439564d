using OrleansFaas.Abstractions.Model;

namespace OrleansFaas.Abstractions.Grains;

/// <summary>
/// One function's bill (keyed by function name): invocations, billed milliseconds, GB-seconds and cost, per
/// day, priced with the platform's prices. The usage itself is written by each silo's recorder straight to
/// the durable ledger store (group-committed, one entry per request id and attempt); this grain reads it.
/// </summary>
[Alias("faas.IBillingLedgerGrain")]
public interface IBillingLedgerGrain : IGrainWithStringKey
{
    [Alias("GetSummary")]
    Task<BillingSummary> GetSummary();
}
