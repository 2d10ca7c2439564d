using System.Text.Json;
using Grpc.Core;
using OrleansFaas.Api.V1;

namespace OrleansFaas.Tests.EndToEnd;

/// <summary>Cold starts, scale-out and concurrency controls on the two-silo cluster.</summary>
[Collection(TwoSiloClusterCollection.Name)]
public class ScalingTests(TwoSiloClusterFixture fixture)
{
    private Platform P => fixture.Platform;

    [Fact]
    public async Task ReservedConcurrencyZeroThrottlesWithLambdasReason()
    {
        var name = "throttled-" + Guid.NewGuid().ToString("N")[..8];
        await P.Functions.CreateFunctionAsync(new CreateFunctionRequest
        {
            Name = name,
            Handler = "hello.handler",
            ReservedConcurrency = 0,
            CodeZip = Platform.ZipDirectory(RepoPaths.Example("hello")),
        });

        var e = await Assert.ThrowsAsync<RpcException>(() => P.InvokeAsync(name));

        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
        Assert.Contains("ReservedFunctionConcurrentInvocationLimitExceeded", e.Status.Detail);
        Assert.Contains("reserved concurrency of 0", e.Status.Detail);
    }

    [Fact]
    public async Task ABurstOnTwoSilosStartsInstancesOnBothSilos()
    {
        var name = "burst-" + Guid.NewGuid().ToString("N")[..8];
        await P.DeployAsync(name, RepoPaths.TestFunction("sleepy"), "sleepy.handler", timeoutSeconds: 30);

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => P.InvokeAsync(name, """{"sleep": 0.5}""")));

        Assert.All(responses, r => Assert.Null(r.Error));
        Assert.Equal(["silo1", "silo2"], responses.Select(r => r.Silo).Distinct().Order());
        // Every caller held its instance while the others ran: no instance served two of them at once.
        Assert.Equal(responses.Length, responses.Select(r => r.InstanceId).Distinct().Count());
    }

    [Fact]
    public async Task ConcurrentCallsNeverShareAnInstanceAndSequentialOnesReuseIt()
    {
        var name = "share-" + Guid.NewGuid().ToString("N")[..8];
        await P.DeployAsync(name, RepoPaths.Example("counter"), "counter.handler");

        var first = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => P.InvokeAsync(name)));
        var second = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => P.InvokeAsync(name)));

        // Four concurrent calls on a cold function each get an instance of their own (count 1 everywhere)...
        Assert.All(first, r => Assert.Equal(1, JsonDocument.Parse(r.Payload.ToStringUtf8()).RootElement.GetProperty("count").GetInt32()));
        // ...and later calls reuse those warm instances.
        Assert.Contains(second, r => !r.ColdStart);
    }
}
