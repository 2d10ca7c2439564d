using OrleansFaas.Abstractions.Grains;
using OrleansFaas.Abstractions.Model;
using OrleansFaas.Grains.Placement;

namespace OrleansFaas.Grains.Workers;

/// <summary>This silo's agent: lets a pool start an instance here without an invocation (provisioned concurrency).</summary>
[SiloTargetedPlacement]
public sealed class SiloAgentGrain(WorkerHost host) : Grain, ISiloAgentGrain
{
    public async Task<bool> Prewarm(string instanceId, FunctionDefinition definition)
    {
        var (instance, load, _) = await host.StartAsync(instanceId, definition);
        if (!load.Ok)
        {
            return false;
        }
        host.MarkIdle(instance);
        return true;
    }
}
