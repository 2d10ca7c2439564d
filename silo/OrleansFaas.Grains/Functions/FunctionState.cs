using OrleansFaas.Abstractions.Model;

namespace OrleansFaas.Grains.Functions;

/// <summary>The persisted state of a <see cref="FunctionGrain"/>: null definition means the function does not exist.</summary>
[GenerateSerializer, Alias("faas.FunctionState")]
public sealed class FunctionState
{
    [Id(0)] public FunctionDefinition? Definition { get; set; }
}

/// <summary>The persisted state of the <see cref="FunctionCatalogGrain"/>.</summary>
[GenerateSerializer, Alias("faas.FunctionCatalogState")]
public sealed class FunctionCatalogState
{
    [Id(0)] public SortedSet<string> Names { get; set; } = new(StringComparer.Ordinal);
}
