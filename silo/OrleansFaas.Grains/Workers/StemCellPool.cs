using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using OrleansFaas.Grains.Hosting;

namespace OrleansFaas.Grains.Workers;

/// <summary>
/// Pre-started generic workers (interpreter up, grpc imported, socket listening, no function loaded): a
/// cold start takes one and only has to Load. Stem cells are interchangeable for one runtime (python3; memory
/// is not enforced per process yet, so it does not key them). Taking one schedules a refill at once; a timer
/// with jitter tops the pool up after failures.
/// </summary>
public sealed class StemCellPool : IAsyncDisposable
{
    private readonly ConcurrentQueue<StemCell> _ready = new();
    private readonly WorkerLauncher _launcher;
    private readonly WorkerSettings _settings;
    private readonly ILogger<StemCellPool> _logger;
    private readonly Timer _timer;
    private int _refilling;
    private int _disposed;

    public StemCellPool(WorkerLauncher launcher, WorkerSettings settings, ILogger<StemCellPool> logger)
    {
        _launcher = launcher;
        _settings = settings;
        _logger = logger;
        var period = TimeSpan.FromSeconds(5) + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 1000));
        _timer = new Timer(_ => Refill(), null, TimeSpan.Zero, period);
    }

    public int Count => _ready.Count;

    /// <summary>A live stem cell, or null when none is ready (the caller then launches a worker itself).</summary>
    public StemCell? TryTake()
    {
        StemCell? taken = null;
        while (_ready.TryDequeue(out var cell))
        {
            if (!cell.Process.HasExited)
            {
                taken = cell;
                break;
            }
            _ = cell.StopAsync();
        }
        Refill();
        return taken;
    }

    private void Refill()
    {
        if (_disposed == 0 && _settings.StemCells > 0 && _ready.Count < _settings.StemCells
            && Interlocked.CompareExchange(ref _refilling, 1, 0) == 0)
        {
            _ = RefillAsync();
        }
    }

    private async Task RefillAsync()
    {
        try
        {
            while (_disposed == 0 && _ready.Count < _settings.StemCells)
            {
                var process = await _launcher.LaunchAsync(_launcher.SocketPath("stem-" + Guid.NewGuid().ToString("N")));
                // Connected now, so a cold start pays neither the connection nor HTTP/2's handshake.
                var cell = new StemCell(process, new WorkerClient(process.SocketPath));
                await cell.Client.Worker.HealthAsync(new Worker.V1.HealthRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
                if (_disposed != 0)
                {
                    await cell.StopAsync();
                    break;
                }
                _ready.Enqueue(cell);
            }
        }
        catch (Exception e)
        {
            _logger.LogWarning("Stem cell refill failed: {Reason}", e.Message);
        }
        finally
        {
            Interlocked.Exchange(ref _refilling, 0);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _timer.DisposeAsync();
        while (_ready.TryDequeue(out var cell))
        {
            await cell.StopAsync();
        }
    }
}

/// <summary>A ready generic worker and its already connected client.</summary>
public sealed record StemCell(WorkerProcess Process, WorkerClient Client)
{
    public async Task StopAsync()
    {
        Client.Dispose();
        await Process.StopAsync();
    }
}
