using OrleansFaas.Abstractions.Grains;

namespace OrleansFaas.Tests.Grains;

[Collection(ClusterCollection.Name)]
public class FunctionCatalogGrainTests(ClusterFixture fixture)
{
    [Fact]
    public async Task ListsNamesInOrderAcrossPages()
    {
        var catalog = fixture.Cluster.GrainFactory.GetGrain<IFunctionCatalogGrain>("paging-" + Guid.NewGuid().ToString("N"));
        foreach (var name in new[] { "c", "a", "e", "b", "d" })
        {
            await catalog.Add(name);
        }

        var first = await catalog.List(null, 2);
        var second = await catalog.List(first.NextMarker, 2);
        var third = await catalog.List(second.NextMarker, 2);

        Assert.Equal(["a", "b"], first.Names);
        Assert.Equal(["c", "d"], second.Names);
        Assert.Equal(["e"], third.Names);
        Assert.Null(third.NextMarker);
    }

    [Fact]
    public async Task AddingTwiceListsOnceAndRemoveForgets()
    {
        var catalog = fixture.Cluster.GrainFactory.GetGrain<IFunctionCatalogGrain>("dup-" + Guid.NewGuid().ToString("N"));
        await catalog.Add("x");
        await catalog.Add("x");
        await catalog.Add("y");
        await catalog.Remove("y");

        Assert.Equal(["x"], (await catalog.List(null, 50)).Names);
    }
}
