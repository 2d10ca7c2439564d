namespace OrleansFaas.Cli.Bench;

/// <summary>Percentiles of a set of latencies (nearest-rank), in milliseconds.</summary>
internal sealed class LatencyStats
{
    private readonly double[] _sorted;

    public LatencyStats(IEnumerable<double> milliseconds)
    {
        _sorted = milliseconds.Order().ToArray();
    }

    public int Count => _sorted.Length;

    public double Percentile(double p)
    {
        if (_sorted.Length == 0)
        {
            return double.NaN;
        }
        var rank = (int)Math.Ceiling(p / 100.0 * _sorted.Length);
        return _sorted[Math.Clamp(rank - 1, 0, _sorted.Length - 1)];
    }

    public double P50 => Percentile(50);
    public double P90 => Percentile(90);
    public double P99 => Percentile(99);
    public double Max => _sorted.Length == 0 ? double.NaN : _sorted[^1];
}
