using System.Collections.Concurrent;
using System.Globalization;

namespace OrleansFaas.Grains.Workers;

/// <summary>
/// Enforces each function's memory size: while an instance runs an invocation, its worker's resident memory
/// is sampled every few milliseconds, and a worker past its function's memory size is SIGKILLed (the caller
/// then gets Runtime.OutOfMemory). The timer runs only while some invocation is in flight, so an idle silo
/// spends nothing here.
/// </summary>
public sealed class MemoryWatchdog : IDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(20);
    private static readonly long PageSize = Environment.SystemPageSize;

    private readonly ConcurrentDictionary<WorkerInstance, long> _watched = new();
    private readonly Timer _timer;
    private readonly Lock _lock = new();
    private bool _running;

    public MemoryWatchdog() => _timer = new Timer(_ => Sample(), null, Timeout.Infinite, Timeout.Infinite);

    /// <summary>Watches <paramref name="instance"/> until the returned handle is disposed.</summary>
    public Watch Start(WorkerInstance instance, int memoryMb)
    {
        _watched[instance] = memoryMb * 1024L * 1024L;
        lock (_lock)
        {
            if (!_running)
            {
                _running = true;
                _timer.Change(Period, Period);
            }
        }
        return new Watch(this, instance);
    }

    private void Stop(WorkerInstance instance)
    {
        _watched.TryRemove(instance, out _);
        lock (_lock)
        {
            if (_running && _watched.IsEmpty)
            {
                _running = false;
                _timer.Change(Timeout.Infinite, Timeout.Infinite);
            }
        }
    }

    private void Sample()
    {
        foreach (var (instance, limit) in _watched)
        {
            if (instance.Process is not { } process || instance.OutOfMemory)
            {
                continue;
            }
            var rss = ResidentBytes(process.Pid);
            if (rss > instance.PeakResidentBytes)
            {
                instance.PeakResidentBytes = rss;
            }
            if (rss > limit)
            {
                instance.OutOfMemory = true;
                NativeMethods.KillProcessGroup(process.Pid);
            }
        }
    }

    /// <summary>Resident memory of a process (second field of /proc/PID/statm, in pages); 0 when it is gone.</summary>
    public static long ResidentBytes(int pid)
    {
        try
        {
            var statm = File.ReadAllText($"/proc/{pid}/statm");
            var fields = statm.Split(' ');
            return long.Parse(fields[1], CultureInfo.InvariantCulture) * PageSize;
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    public void Dispose() => _timer.Dispose();

    /// <summary>Ends the watch of one invocation.</summary>
    public readonly struct Watch(MemoryWatchdog watchdog, WorkerInstance instance) : IDisposable
    {
        public void Dispose() => watchdog.Stop(instance);
    }
}
