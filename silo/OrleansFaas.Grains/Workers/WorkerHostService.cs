using Microsoft.Extensions.Hosting;

namespace OrleansFaas.Grains.Workers;

/// <summary>Stops every worker process when the host shuts down (Ctrl-C, SIGTERM), before the process exits.</summary>
public sealed class WorkerHostService(WorkerHost host) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken) => await host.DisposeAsync();
}
