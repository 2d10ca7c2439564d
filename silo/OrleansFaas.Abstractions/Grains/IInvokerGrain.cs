using OrleansFaas.Abstractions.Model;

namespace OrleansFaas.Abstractions.Grains;

/// <summary>
/// The per-silo entry point of an invocation (a stateless worker, so it runs on the silo that took the
/// call): leases an instance from the function's pool, runs the event on a worker process of this silo,
/// releases the lease and records usage.
/// </summary>
[Alias("faas.IInvokerGrain")]
public interface IInvokerGrain : IGrainWithIntegerKey
{
    [Alias("Invoke")]
    Task<InvocationResult> Invoke(InvocationRequest request);
}
