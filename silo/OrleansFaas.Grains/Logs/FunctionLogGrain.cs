using Orleans.Concurrency;
using OrleansFaas.Abstractions.Grains;
using OrleansFaas.Abstractions.Model;

namespace OrleansFaas.Grains.Logs;

/// <summary>Reads a function's log and activation records from this silo's store; see <see cref="IFunctionLogGrain"/>.</summary>
[StatelessWorker]
public sealed class FunctionLogGrain(IActivationLog store) : Grain, IFunctionLogGrain
{
    public async Task<LogPage> GetLogs(LogQuery query)
    {
        await EnsureExistsAsync();
        return await store.ReadLogsAsync(this.GetPrimaryKeyString(), query);
    }

    public async Task<IReadOnlyList<ActivationRecord>> ListActivations(int limit)
    {
        await EnsureExistsAsync();
        var count = limit <= 0 ? ActivationRecord.DefaultListLimit : Math.Min(limit, ActivationRecord.MaxListLimit);
        return await store.ListActivationsAsync(this.GetPrimaryKeyString(), count);
    }

    private async Task EnsureExistsAsync()
    {
        var name = this.GetPrimaryKeyString();
        if (await GrainFactory.GetGrain<IFunctionGrain>(name).Get() is null)
        {
            throw FaasException.FunctionNotFound(name);
        }
    }
}
