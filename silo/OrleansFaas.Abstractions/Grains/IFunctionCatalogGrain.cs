using OrleansFaas.Abstractions.Model;

namespace OrleansFaas.Abstractions.Grains;

/// <summary>The set of function names of one namespace (key: <see cref="FunctionCatalog.DefaultNamespace"/>), for listing with paging.</summary>
[Alias("faas.IFunctionCatalogGrain")]
public interface IFunctionCatalogGrain : IGrainWithStringKey
{
    [Alias("Add")]
    Task Add(string name);

    [Alias("Remove")]
    Task Remove(string name);

    /// <summary>Names after <paramref name="marker"/> in ordinal order, at most <paramref name="maxItems"/>.</summary>
    [Alias("List")]
    Task<FunctionPage> List(string? marker, int maxItems);
}

/// <summary>Keys of the catalog grain (one catalog per namespace; one namespace for now).</summary>
public static class FunctionCatalog
{
    public const string DefaultNamespace = "default";
    /// <summary>The key of the account-wide grains (concurrency).</summary>
    public const string DefaultAccount = "default";
}
