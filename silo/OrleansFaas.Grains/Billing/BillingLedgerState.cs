namespace OrleansFaas.Grains.Billing;

/// <summary>The persisted ledger of one function.</summary>
[GenerateSerializer, Alias("faas.BillingLedgerState")]
public sealed class BillingLedgerState
{
    [Id(0)] public Dictionary<string, BillingDayTotals> Days { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The most recent request ids, oldest first, so a retried record is not counted twice.</summary>
    [Id(1)] public List<string> RecentRequestIds { get; set; } = [];
}

[GenerateSerializer, Alias("faas.BillingDayTotals")]
public sealed class BillingDayTotals
{
    [Id(0)] public long Invocations { get; set; }
    [Id(1)] public long BilledMs { get; set; }
    [Id(2)] public double GbSeconds { get; set; }
}
