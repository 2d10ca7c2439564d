namespace OrleansFaas.Abstractions.Model;

/// <summary>A function's usage and cost so far, with per-day rows (UTC).</summary>
[GenerateSerializer, Immutable, Alias("faas.BillingSummary")]
public sealed record BillingSummary
{
    [Id(0)] public required string Function { get; init; }
    [Id(1)] public long Invocations { get; init; }
    [Id(2)] public long BilledMs { get; init; }
    [Id(3)] public double GbSeconds { get; init; }
    [Id(4)] public double RequestCost { get; init; }
    [Id(5)] public double ComputeCost { get; init; }
    [Id(6)] public int GranularityMs { get; init; }
    [Id(7)] public IReadOnlyList<BillingDay> Days { get; init; } = [];

    public double Cost => RequestCost + ComputeCost;
}

[GenerateSerializer, Immutable, Alias("faas.BillingDay")]
public sealed record BillingDay(
    [property: Id(0)] string Date,
    [property: Id(1)] long Invocations,
    [property: Id(2)] long BilledMs,
    [property: Id(3)] double GbSeconds,
    [property: Id(4)] double Cost);
