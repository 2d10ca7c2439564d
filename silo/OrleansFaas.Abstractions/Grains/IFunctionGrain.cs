using Orleans.Concurrency;
using OrleansFaas.Abstractions.Model;

namespace OrleansFaas.Abstractions.Grains;

/// <summary>
/// Owns one function's definition (keyed by function name): validates and stores it, stores its code
/// package, and tells the function's instance pool when the definition changes or goes away.
/// </summary>
[Alias("faas.IFunctionGrain")]
public interface IFunctionGrain : IGrainWithStringKey
{
    /// <summary>Creates the function; AlreadyExists when it exists, InvalidArgument on a bad definition or package.</summary>
    [Alias("Create")]
    Task<FunctionDefinition> Create(CreateFunction request);

    /// <summary>Updates code and/or configuration; NotFound when the function does not exist.</summary>
    [Alias("Update")]
    Task<FunctionDefinition> Update(UpdateFunction request);

    /// <summary>The definition, or null when the function does not exist.</summary>
    /// <remarks>Read-only, so it interleaves: the pool may ask while this grain awaits the pool.</remarks>
    [Alias("Get"), AlwaysInterleave]
    Task<FunctionDefinition?> Get();

    /// <summary>Deletes the function; NotFound when it does not exist.</summary>
    [Alias("Delete")]
    Task Delete();
}
