using System.Globalization;
using Microsoft.Extensions.Logging;
using OrleansFaas.Grains.Hosting;

namespace OrleansFaas.Grains.Workers;

/// <summary>
/// Makes worker processes for this silo: forked by the zygote when it is enabled and healthy, otherwise
/// spawned as fresh interpreters. Owns the zygote (restarted when it dies, at most every 30 s after a
/// failure) and the pid files that let a later run of this data folder reap what a crashed silo left behind.
/// </summary>
public sealed class WorkerLauncher : IAsyncDisposable
{
    private static readonly TimeSpan ZygoteRetryDelay = TimeSpan.FromSeconds(30);

    private readonly WorkerSettings _settings;
    private readonly ProcessSpawner _spawner;
    private readonly ILogger<WorkerLauncher> _logger;
    private readonly SemaphoreSlim _zygoteLock = new(1, 1);
    private Zygote? _zygote;
    private DateTime _zygoteRetryAfter = DateTime.MinValue;

    public WorkerLauncher(WorkerSettings settings, ProcessSpawner spawner, ILogger<WorkerLauncher> logger)
    {
        _settings = settings;
        _spawner = spawner;
        _logger = logger;
        SocketDirectory = Path.Combine(settings.DataDirectory, "sockets");
        PidDirectory = Path.Combine(settings.DataDirectory, "workers");
        OrphanReaper.Reap(settings.DataDirectory, PidDirectory, SocketDirectory, logger);
        Directory.CreateDirectory(SocketDirectory);
        Directory.CreateDirectory(PidDirectory);
    }

    public string SocketDirectory { get; }
    public string PidDirectory { get; }

    public string SocketPath(string name) => Path.Combine(SocketDirectory, name + ".sock");

    /// <summary>A worker serving <paramref name="socketPath"/>, ready for Load.</summary>
    public async Task<WorkerProcess> LaunchAsync(string socketPath)
    {
        WorkerProcess worker;
        var zygote = _settings.UseZygote ? await GetZygoteAsync() : null;
        try
        {
            worker = zygote is not null
                ? await zygote.ForkAsync(socketPath, _settings.StartTimeout)
                : await SpawnedWorkerProcess.StartAsync(_spawner, _settings, socketPath);
        }
        catch (Abstractions.Model.FaasException e) when (zygote is not null)
        {
            _logger.LogWarning("Forking from the zygote failed ({Reason}); spawning this worker instead", e.Message);
            worker = await SpawnedWorkerProcess.StartAsync(_spawner, _settings, socketPath);
        }
        worker.PidFile = WritePidFile(worker.Pid, socketPath);
        return worker;
    }

    private async Task<Zygote?> GetZygoteAsync()
    {
        if (_zygote is { IsAlive: true } alive)
        {
            return alive;
        }
        await _zygoteLock.WaitAsync();
        try
        {
            if (_zygote is { IsAlive: true } started)
            {
                return started;
            }
            if (_zygote is not null)
            {
                await _zygote.DisposeAsync();
                _zygote = null;
            }
            if (DateTime.UtcNow < _zygoteRetryAfter)
            {
                return null;
            }
            try
            {
                var controlPath = Path.Combine(_settings.DataDirectory, "zygote.sock");
                _zygote = await Zygote.StartAsync(_spawner, _settings, controlPath);
                _zygote.PidFile = WritePidFile(_zygote.Pid, controlPath);
                _logger.LogInformation("Zygote started (pid {Pid})", _zygote.Pid);
                return _zygote;
            }
            catch (Abstractions.Model.FaasException e)
            {
                _zygoteRetryAfter = DateTime.UtcNow + ZygoteRetryDelay;
                _logger.LogWarning("The zygote did not start ({Reason}); spawning workers instead", e.Message);
                return null;
            }
        }
        finally
        {
            _zygoteLock.Release();
        }
    }

    private string WritePidFile(int pid, string socketPath)
    {
        var path = Path.Combine(PidDirectory, pid.ToString(CultureInfo.InvariantCulture) + ".pid");
        File.WriteAllText(path, socketPath);
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        if (_zygote is not null)
        {
            await _zygote.DisposeAsync();
            _zygote = null;
        }
    }
}
