using OrleansFaas.Abstractions.Model;

namespace OrleansFaas.Abstractions.Grains;

/// <summary>
/// A silo's own agent (keyed by the silo's address, <c>SiloAddress.ToParsableString()</c>, and always
/// activated on that silo): how a pool asks one particular silo to do something with its worker processes,
/// such as starting a provisioned instance.
/// </summary>
[Alias("faas.ISiloAgentGrain")]
public interface ISiloAgentGrain : IGrainWithStringKey
{
    /// <summary>Starts and loads an instance without an invocation; false when the function failed to load.</summary>
    [Alias("Prewarm")]
    Task<bool> Prewarm(string instanceId, FunctionDefinition definition);
}
