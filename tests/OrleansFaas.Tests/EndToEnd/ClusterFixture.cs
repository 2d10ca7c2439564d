namespace OrleansFaas.Tests.EndToEnd;

/// <summary>One two-silo cluster (redis-server, 2 silo processes, 1 gateway process) shared by a test collection.</summary>
public sealed class TwoSiloClusterFixture : IAsyncLifetime
{
    public Platform Platform { get; private set; } = null!;

    public async Task InitializeAsync() => Platform = await Platform.StartClusterAsync(silos: 2);

    public async Task DisposeAsync() => await Platform.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class TwoSiloClusterCollection : ICollectionFixture<TwoSiloClusterFixture>
{
    public const string Name = "two-silo cluster";
}
