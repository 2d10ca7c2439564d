using OrleansFaas.Abstractions.Grains;
using OrleansFaas.Abstractions.Model;
using OrleansFaas.Tests.Unit;

namespace OrleansFaas.Tests.Grains;

[Collection(ClusterCollection.Name)]
public class FunctionGrainTests(ClusterFixture fixture)
{
    private static readonly byte[] Code = CodePackageTests.Zip(("app.py", "def handler(e, c):\n    return 1\n"));

    private IFunctionGrain Function(string name) => fixture.Cluster.GrainFactory.GetGrain<IFunctionGrain>(name);

    private static string UniqueName() => "fn-" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task CreateAppliesLambdaDefaultsAndStoresTheDefinition()
    {
        var name = UniqueName();
        var created = await Function(name).Create(new CreateFunction { Handler = "app.handler", CodeZip = Code });

        Assert.Equal(128, created.MemoryMb);
        Assert.Equal(3, created.TimeoutSeconds);
        Assert.Equal("python3", created.Runtime);
        Assert.Equal(64, created.CodeSha256.Length);
        var stored = await Function(name).Get();
        Assert.NotNull(stored);
        Assert.Equal(created.RevisionId, stored.RevisionId);
        Assert.Equal(created.CodeSha256, stored.CodeSha256);
    }

    [Fact]
    public async Task CreatingAnExistingFunctionFailsWithAlreadyExists()
    {
        var name = UniqueName();
        await Function(name).Create(new CreateFunction { Handler = "app.handler", CodeZip = Code });

        var e = await Assert.ThrowsAsync<FaasException>(() => Function(name).Create(new CreateFunction { Handler = "app.handler", CodeZip = Code }));

        Assert.Equal(FaasErrorCode.AlreadyExists, e.Code);
    }

    [Fact]
    public async Task CreateRejectsMemoryOutOfRangeWithInvalidArgument()
    {
        var e = await Assert.ThrowsAsync<FaasException>(() =>
            Function(UniqueName()).Create(new CreateFunction { Handler = "app.handler", MemoryMb = 64, CodeZip = Code }));

        Assert.Equal(FaasErrorCode.InvalidArgument, e.Code);
        Assert.Null(await Function(UniqueName()).Get());
    }

    [Fact]
    public async Task UpdateChangesTheRevisionAndKeepsWhatItDoesNotSet()
    {
        var name = UniqueName();
        var created = await Function(name).Create(new CreateFunction { Handler = "app.handler", MemoryMb = 256, CodeZip = Code });

        var updated = await Function(name).Update(new UpdateFunction { TimeoutSeconds = 30 });

        Assert.Equal(30, updated.TimeoutSeconds);
        Assert.Equal(256, updated.MemoryMb);
        Assert.Equal(created.CodeSha256, updated.CodeSha256);
        Assert.NotEqual(created.RevisionId, updated.RevisionId);
    }

    [Fact]
    public async Task UpdatingAnUnknownFunctionFailsWithNotFound()
    {
        var e = await Assert.ThrowsAsync<FaasException>(() => Function(UniqueName()).Update(new UpdateFunction { TimeoutSeconds = 5 }));
        Assert.Equal(FaasErrorCode.NotFound, e.Code);
        Assert.StartsWith("Function not found: arn:aws:lambda:", e.Message);
    }

    [Fact]
    public async Task DeleteRemovesTheFunctionAndItsCatalogEntry()
    {
        var name = UniqueName();
        await Function(name).Create(new CreateFunction { Handler = "app.handler", CodeZip = Code });

        await Function(name).Delete();

        Assert.Null(await Function(name).Get());
        var catalog = fixture.Cluster.GrainFactory.GetGrain<IFunctionCatalogGrain>(FunctionCatalog.DefaultNamespace);
        Assert.DoesNotContain(name, (await catalog.List(null, 50)).Names);
        var e = await Assert.ThrowsAsync<FaasException>(() => Function(name).Delete());
        Assert.Equal(FaasErrorCode.NotFound, e.Code);
    }
}
