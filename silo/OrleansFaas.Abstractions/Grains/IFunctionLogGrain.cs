using Orleans.Concurrency;
using OrleansFaas.Abstractions.Model;

namespace OrleansFaas.Abstractions.Grains;

/// <summary>
/// Reads one function's log and activation records (keyed by function name). A stateless worker: it runs on the
/// silo that takes the call and reads that silo's activation log store (Redis in cluster mode, so every silo
/// sees the same log). Writes never come through here: invokers hand them to their silo's background writer.
/// </summary>
[Alias("faas.IFunctionLogGrain")]
public interface IFunctionLogGrain : IGrainWithStringKey
{
    /// <summary>A page of log entries, oldest first (see <see cref="LogQuery"/>); NotFound for an unknown function.</summary>
    [Alias("GetLogs"), ReadOnly]
    Task<LogPage> GetLogs(LogQuery query);

    /// <summary>The newest activation records, newest first; NotFound for an unknown function.</summary>
    [Alias("ListActivations"), ReadOnly]
    Task<IReadOnlyList<ActivationRecord>> ListActivations(int limit);
}
