using System.Globalization;

namespace OrleansFaas.Cli.Bench;

/// <summary>
/// CPU time of this machine's OrleansFaas processes (gateway, silos, Python workers), read from /proc:
/// the bench runs beside the platform, so the cost per invocation can be measured, not guessed.
/// </summary>
internal static class ProcessCpu
{
    private const double TicksPerSecond = 100.0; // USER_HZ on Linux

    /// <summary>Proportional set size of a process (its share of pages shared with others), from /proc/PID/smaps_rollup.</summary>
    public static long ProportionalSetKb(int pid) => SmapsField(pid, "Pss:");

    public static long ResidentKb(int pid) => SmapsField(pid, "Rss:");

    private static long SmapsField(int pid, string field)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/smaps_rollup").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
            return line is null ? -1 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return -1;
        }
    }

    /// <summary>CPU seconds used so far, by role ("platform" = gateway and silos, "workers" = Python processes).</summary>
    public static (double Platform, double Workers) Snapshot()
    {
        double platform = 0, workers = 0;
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _))
            {
                continue;
            }
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                var isPlatform = cmdline.Contains("OrleansFaas.Gateway", StringComparison.Ordinal) || cmdline.Contains("OrleansFaas.Silo", StringComparison.Ordinal);
                var isWorker = cmdline.Contains("faas_worker", StringComparison.Ordinal);
                if (!isPlatform && !isWorker)
                {
                    continue;
                }
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                // Fields after the command: state is [0], utime is [11], stime is [12].
                var seconds = (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
                if (isPlatform)
                {
                    platform += seconds;
                }
                else
                {
                    workers += seconds;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                // The process ended while we looked.
            }
        }
        return (platform, workers);
    }
}
