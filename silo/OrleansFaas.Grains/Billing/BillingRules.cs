using OrleansFaas.Abstractions.Model;
using OrleansFaas.Grains.Hosting;

namespace OrleansFaas.Grains.Billing;

/// <summary>The arithmetic of billing, pure so it is tested without a cluster.</summary>
public static class BillingRules
{
    /// <summary>Duration (plus init on a cold start) rounded up to the granularity; at least one unit.</summary>
    public static long BilledMilliseconds(double durationMs, double initDurationMs, int granularityMs)
    {
        var total = Math.Max(0, durationMs) + Math.Max(0, initDurationMs);
        var units = Math.Max(1, (long)Math.Ceiling(total / granularityMs - 1e-9));
        return units * granularityMs;
    }

    public static double GbSeconds(long billedMs, int memoryMb) => GbSeconds(billedMs * memoryMb);

    /// <summary>GB-seconds from MB-milliseconds, the exact integer the ledger keeps.</summary>
    public static double GbSeconds(long mbMilliseconds) => mbMilliseconds / 1024.0 / 1000.0;

    public static double ComputeCost(double gbSeconds, BillingSettings prices) => gbSeconds * prices.PricePerGbSecond;

    public static double RequestCost(long invocations, BillingSettings prices) =>
        invocations * prices.PricePerMillionRequests / 1_000_000.0;

    public static string Day(DateTimeOffset timestamp) => timestamp.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
