using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansFaas.Abstractions.Grains;
using OrleansFaas.Grains.Hosting;

namespace OrleansFaas.Grains.Workers;

/// <summary>
/// Every sweep interval, reports this silo's instances to their functions' pools and stops the ones the pools
/// retire (idle past the keep-alive, stale, unknown). With no instances it makes no call at all, so an idle
/// silo spends nothing beyond the timer.
/// </summary>
public sealed class InstanceSweeper(
    WorkerHost host, IGrainFactory grains, ILocalSiloDetails silo, PoolSettings settings, ILogger<InstanceSweeper> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(settings.SweepInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await SweepOnceAsync();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async Task SweepOnceAsync()
    {
        foreach (var (function, instances) in host.Report())
        {
            try
            {
                var retired = await grains.GetGrain<IInstancePoolGrain>(function).Sweep(silo.SiloAddress, instances);
                foreach (var id in retired)
                {
                    await host.StopAsync(id);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Sweep of {Function}'s instances failed; retrying next interval", function);
            }
        }
    }
}
