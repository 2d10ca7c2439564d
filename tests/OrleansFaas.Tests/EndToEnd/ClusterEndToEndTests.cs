using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using OrleansFaas.Api.V1;

namespace OrleansFaas.Tests.EndToEnd;

/// <summary>The public API driven over real gRPC against redis-server, two silo processes, a gateway and Python workers.</summary>
[Collection(TwoSiloClusterCollection.Name)]
public class ClusterEndToEndTests(TwoSiloClusterFixture fixture)
{
    private Platform P => fixture.Platform;

    private static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    private static JsonElement Json(InvokeResponse response) => JsonDocument.Parse(response.Payload.ToStringUtf8()).RootElement;

    [Fact]
    public async Task DeploysHelloAndInvokesIt()
    {
        var name = UniqueName("hello");
        var config = await P.DeployAsync(name, RepoPaths.Example("hello"), "hello.handler");

        var response = await P.InvokeAsync(name);

        Assert.Equal(64, config.CodeSha256.Length);
        Assert.Null(response.Error);
        Assert.Equal("\"What's Up!\"", response.Payload.ToStringUtf8());
        Assert.True(response.ColdStart);
        Assert.Contains(response.Silo, new[] { "silo1", "silo2" });
        Assert.False(string.IsNullOrEmpty(response.RequestId));
    }

    [Fact]
    public async Task EchoReturnsThePayloadItWasGiven()
    {
        var name = UniqueName("echo");
        await P.DeployAsync(name, RepoPaths.Example("echo"), "echo.handler");

        var response = await P.InvokeAsync(name, """{"a": [1, 2, {"b": "ü"}], "n": null}""");

        Assert.Null(response.Error);
        var json = Json(response);
        Assert.Equal("ü", json.GetProperty("a")[2].GetProperty("b").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("n").ValueKind);
    }

    [Fact]
    public async Task AWarmInstanceKeepsModuleStateBetweenInvocations()
    {
        var name = UniqueName("counter");
        await P.DeployAsync(name, RepoPaths.Example("counter"), "counter.handler");

        var results = new List<InvokeResponse>();
        for (var i = 0; i < 4; i++)
        {
            results.Add(await P.InvokeAsync(name));
        }

        // Each silo has its own instances; on one instance the count grows by one per call.
        foreach (var group in results.GroupBy(r => r.InstanceId))
        {
            var counts = group.Select(r => Json(r).GetProperty("count").GetInt32()).ToList();
            Assert.Equal(Enumerable.Range(1, counts.Count), counts);
            Assert.Single(group.Select(r => Json(r).GetProperty("pid").GetInt32()).Distinct());
            Assert.Equal(1, group.Count(r => r.ColdStart));
        }
        Assert.True(results.GroupBy(r => r.InstanceId).Count() <= 2, "at most one instance per silo for sequential calls");
    }

    [Fact]
    public async Task AHandlerExceptionIsAFunctionErrorWithItsTypeAndMessage()
    {
        var name = UniqueName("errors");
        await P.DeployAsync(name, RepoPaths.Example("errors"), "errors.handler");

        var response = await P.InvokeAsync(name);

        Assert.NotNull(response.Error);
        Assert.Equal("CustomError", response.Error.ErrorType);
        Assert.Equal("something went wrong", response.Error.ErrorMessage);
        Assert.Contains(response.Error.StackTrace, line => line.Contains("errors.py", StringComparison.Ordinal));
        Assert.DoesNotContain(response.Error.StackTrace, line => line.Contains("faas_worker", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AModuleThatDoesNotImportGivesImportModuleErrorAtFirstInvoke()
    {
        var name = UniqueName("badimport");
        await P.DeployAsync(name, RepoPaths.TestFunction("bad_import"), "app.handler");

        var response = await P.Invoker.InvokeAsync(
            new InvokeRequest { FunctionName = name }, deadline: DateTime.UtcNow.AddSeconds(30));

        Assert.Equal("Runtime.ImportModuleError", response.Error?.ErrorType);
        Assert.Equal("Unable to import module 'app': No module named 'this_module_does_not_exist'", response.Error!.ErrorMessage);
    }

    [Fact]
    public async Task AMissingHandlerFunctionGivesHandlerNotFound()
    {
        var name = UniqueName("nohandler");
        await P.DeployAsync(name, RepoPaths.Example("hello"), "hello.nothing_here");

        var response = await P.InvokeAsync(name);

        Assert.Equal("Runtime.HandlerNotFound", response.Error?.ErrorType);
        Assert.Equal("Handler 'nothing_here' missing on module 'hello'", response.Error!.ErrorMessage);
    }

    [Fact]
    public async Task AWorkerThatDiesMidInvocationGivesExitErrorAndIsReplaced()
    {
        var name = UniqueName("crash");
        await P.DeployAsync(name, RepoPaths.TestFunction("crash"), "crash.handler");
        await P.InvokeAsync(name);

        var crashed = await P.InvokeAsync(name, """{"crash": true}""");
        var after = new List<InvokeResponse>();
        for (var i = 0; i < 4; i++)
        {
            after.Add(await P.InvokeAsync(name));
        }

        Assert.Equal("Runtime.ExitError", crashed.Error?.ErrorType);
        Assert.Contains("Runtime exited with error: exit status 1", crashed.Error!.ErrorMessage);
        Assert.StartsWith($"RequestId: {crashed.RequestId} Error:", crashed.Error.ErrorMessage);
        Assert.All(after, r => Assert.Null(r.Error));
        Assert.All(after, r => Assert.True(Json(r).GetProperty("alive").GetBoolean()));
        // The crashed instance is replaced, never leased again.
        Assert.DoesNotContain(after, r => r.InstanceId == crashed.InstanceId);
    }

    [Fact]
    public async Task AHandlerPastItsTimeoutIsKilledWithSandboxTimedoutAndTheNextInvokeWorks()
    {
        var name = UniqueName("sleepy");
        await P.DeployAsync(name, RepoPaths.TestFunction("sleepy"), "sleepy.handler", timeoutSeconds: 1);

        var timedOut = await P.InvokeAsync(name, """{"sleep": 30}""");
        var next = await P.InvokeAsync(name, """{"sleep": 0}""");

        Assert.Equal("Sandbox.Timedout", timedOut.Error?.ErrorType);
        Assert.Equal($"RequestId: {timedOut.RequestId} Error: Task timed out after 1.00 seconds", timedOut.Error!.ErrorMessage);
        Assert.Null(next.Error);
        var remaining = Json(next).GetProperty("remaining_ms").GetInt32();
        Assert.InRange(remaining, 1, 1000);
    }

    [Fact]
    public async Task ReturnsNotFoundForAnUnknownFunction()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => P.InvokeAsync("does-not-exist-" + Guid.NewGuid().ToString("N")[..8]));

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Contains("Function not found", e.Status.Detail);
    }

    [Theory]
    [InlineData("bad name")]
    [InlineData("dots.not.allowed")]
    [InlineData("")]
    public async Task ReturnsInvalidArgumentForAnInvalidName(string name)
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => P.InvokeAsync(name));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);

        var onCreate = await Assert.ThrowsAsync<RpcException>(() => P.DeployAsync(name, RepoPaths.Example("hello"), "hello.handler"));
        Assert.Equal(StatusCode.InvalidArgument, onCreate.StatusCode);
    }

    [Fact]
    public async Task ReturnsInvalidArgumentForAPayloadThatIsNotJson()
    {
        var name = UniqueName("echo");
        await P.DeployAsync(name, RepoPaths.Example("echo"), "echo.handler");

        var e = await Assert.ThrowsAsync<RpcException>(() => P.InvokeAsync(name, "{not json"));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.StartsWith("Could not parse request body into json", e.Status.Detail);
    }

    [Fact]
    public async Task ReturnsResourceExhaustedForAPayloadOverSixMegabytes()
    {
        var name = UniqueName("echo");
        await P.DeployAsync(name, RepoPaths.Example("echo"), "echo.handler");

        var big = "\"" + new string('x', 6 * 1024 * 1024) + "\"";
        var e = await Assert.ThrowsAsync<RpcException>(() => P.InvokeAsync(name, big));

        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
        Assert.Contains("limit 6291456 bytes", e.Status.Detail);
    }

    [Theory]
    [InlineData(64, 3)]
    [InlineData(20000, 3)]
    [InlineData(128, 901)]
    public async Task ReturnsInvalidArgumentForMemoryOrTimeoutOutOfRange(int memory, int timeout)
    {
        var e = await Assert.ThrowsAsync<RpcException>(() =>
            P.DeployAsync(UniqueName("range"), RepoPaths.Example("hello"), "hello.handler", memory, timeout));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("out of range", e.Status.Detail);
    }

    [Fact]
    public async Task ReturnsAlreadyExistsWhenCreatingAnExistingFunction()
    {
        var name = UniqueName("dup");
        await P.DeployAsync(name, RepoPaths.Example("hello"), "hello.handler");

        var e = await Assert.ThrowsAsync<RpcException>(() => P.DeployAsync(name, RepoPaths.Example("hello"), "hello.handler"));

        Assert.Equal(StatusCode.AlreadyExists, e.StatusCode);
    }

    [Fact]
    public async Task ReturnsInvalidArgumentForAZipSlipPackage()
    {
        using var memory = new MemoryStream();
        using (var archive = new System.IO.Compression.ZipArchive(memory, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            using var writer = new StreamWriter(archive.CreateEntry("../../escape.py").Open());
            writer.Write("x = 1");
        }

        var e = await Assert.ThrowsAsync<RpcException>(() => P.Functions.CreateFunctionAsync(new CreateFunctionRequest
        {
            Name = UniqueName("slip"),
            Handler = "escape.handler",
            CodeZip = ByteString.CopyFrom(memory.ToArray()),
        }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("outside the package root", e.Status.Detail);
    }

    [Fact]
    public async Task ListsGetsUpdatesAndDeletesFunctions()
    {
        var name = UniqueName("crud");
        await P.DeployAsync(name, RepoPaths.Example("hello"), "hello.handler", memoryMb: 256);

        var listed = await P.Functions.ListFunctionsAsync(new ListFunctionsRequest());
        var got = await P.Functions.GetFunctionAsync(new GetFunctionRequest { Name = name });
        var updated = await P.Functions.UpdateFunctionAsync(new UpdateFunctionRequest
        {
            Name = name,
            Handler = "echo.handler",
            CodeZip = Platform.ZipDirectory(RepoPaths.Example("echo")),
        });
        var invokedAfterUpdate = await P.InvokeAsync(name, """{"updated": true}""");
        await P.Functions.DeleteFunctionAsync(new DeleteFunctionRequest { Name = name });
        var afterDelete = await Assert.ThrowsAsync<RpcException>(() => P.Functions.GetFunctionAsync(new GetFunctionRequest { Name = name }).ResponseAsync);
        var listedAfter = await P.Functions.ListFunctionsAsync(new ListFunctionsRequest());

        Assert.Contains(listed.Functions, f => f.Name == name && f.MemoryMb == 256);
        Assert.Equal("hello.handler", got.Handler);
        Assert.Equal(256, updated.MemoryMb);
        Assert.NotEqual(got.CodeSha256, updated.CodeSha256);
        Assert.NotEqual(got.RevisionId, updated.RevisionId);
        Assert.True(Json(invokedAfterUpdate).GetProperty("updated").GetBoolean());
        Assert.Equal(StatusCode.NotFound, afterDelete.StatusCode);
        Assert.DoesNotContain(listedAfter.Functions, f => f.Name == name);
    }

    [Fact]
    public async Task BillingCountsEveryInvocationWithItsBilledTime()
    {
        var name = UniqueName("billed");
        await P.DeployAsync(name, RepoPaths.Example("hello"), "hello.handler", memoryMb: 512);

        var responses = new List<InvokeResponse>();
        for (var i = 0; i < 5; i++)
        {
            responses.Add(await P.InvokeAsync(name));
        }
        var billing = await P.Functions.GetBillingAsync(new GetBillingRequest { Name = name });

        Assert.Equal(5, billing.Invocations);
        Assert.Equal(responses.Sum(r => r.BilledMs), billing.BilledMs);
        Assert.Equal(billing.BilledMs / 1000.0 * 0.5, billing.GbSeconds, 9);
        Assert.Equal(5 * 0.20 / 1_000_000 + billing.GbSeconds * 0.0000166667, billing.Cost, 12);
        Assert.All(responses.Where(r => r.ColdStart), r => Assert.True(r.BilledMs >= (long)r.InitDurationMs));
        Assert.Single(billing.Days);
    }

    [Fact]
    public async Task BillingOfAnUnknownFunctionIsNotFound()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() =>
            P.Functions.GetBillingAsync(new GetBillingRequest { Name = "never-" + Guid.NewGuid().ToString("N")[..8] }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }
}
