using OrleansFaas.Abstractions.Grains;
using OrleansFaas.Abstractions.Model;
using OrleansFaas.Grains.Storage;

namespace OrleansFaas.Grains.Functions;

/// <summary>The sorted set of function names, paged by name.</summary>
public sealed class FunctionCatalogGrain(
    [PersistentState("catalog", StorageNames.Functions)] IPersistentState<FunctionCatalogState> state)
    : Grain, IFunctionCatalogGrain
{
    public const int MaxPageSize = 50;

    public async Task Add(string name)
    {
        if (state.State.Names.Add(name))
        {
            await state.WriteStateAsync();
        }
    }

    public async Task Remove(string name)
    {
        if (state.State.Names.Remove(name))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<FunctionPage> List(string? marker, int maxItems)
    {
        var size = maxItems is <= 0 or > MaxPageSize ? MaxPageSize : maxItems;
        IEnumerable<string> names = state.State.Names;
        if (!string.IsNullOrEmpty(marker))
        {
            names = names.Where(n => string.CompareOrdinal(n, marker) > 0);
        }
        var page = names.Take(size + 1).ToList();
        var next = page.Count > size ? page[size - 1] : null;
        return Task.FromResult(new FunctionPage(page.Take(size).ToList(), next));
    }
}
