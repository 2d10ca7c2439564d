using System.Text.Json;
using OrleansFaas.Api.V1;

namespace OrleansFaas.Tests.EndToEnd;

/// <summary>Limits enforced on real workers: memory, response size, marshalling, exits, floods and forks.</summary>
[Collection(TwoSiloClusterCollection.Name)]
public class LimitsTests(TwoSiloClusterFixture fixture)
{
    private Platform P => fixture.Platform;

    private async Task<string> DeployAsync(string prefix, int memoryMb = 128)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        await P.DeployAsync(name, RepoPaths.TestFunction("limits"), "limits.handler", memoryMb, timeoutSeconds: 30);
        return name;
    }

    private static JsonElement Json(InvokeResponse r) => JsonDocument.Parse(r.Payload.ToStringUtf8()).RootElement;

    [Fact]
    public async Task AHandlerAllocatingPastItsMemorySizeIsStoppedWithOutOfMemoryAndTheNextInvokeWorks()
    {
        var name = await DeployAsync("hog");

        var small = await P.InvokeAsync(name, """{"hog_mb": 10}""");
        var hog = await P.InvokeAsync(name, """{"hog_mb": 400}""");
        var next = await P.InvokeAsync(name);

        Assert.Null(small.Error);
        Assert.InRange(small.MaxMemoryUsedMb, 10, 128);
        Assert.Equal("Runtime.OutOfMemory", hog.Error?.ErrorType);
        Assert.Contains("exceeds the function's memory size of 128 MB", hog.Error!.ErrorMessage);
        Assert.True(hog.MaxMemoryUsedMb > 128, $"max memory used {hog.MaxMemoryUsedMb} MB");
        Assert.Null(next.Error);
    }

    [Fact]
    public async Task AResponseOverSixMegabytesIsAFunctionError()
    {
        var name = await DeployAsync("bigresp");

        var response = await P.InvokeAsync(name, """{"response_mb": 7}""");

        Assert.Equal("Function.ResponseSizeTooLarge", response.Error?.ErrorType);
        Assert.Contains("6291556 bytes", response.Error!.ErrorMessage);
    }

    [Fact]
    public async Task AResultThatIsNotJsonSerializableIsAMarshalError()
    {
        var name = await DeployAsync("marshal");

        var response = await P.InvokeAsync(name, """{"return_set": true}""");

        Assert.Equal("Runtime.MarshalError", response.Error?.ErrorType);
        Assert.Contains("Unable to marshal response: Object of type set is not JSON serializable", response.Error!.ErrorMessage);
    }

    [Theory]
    [InlineData("""{"sys_exit": 3}""", "exit status 3")]
    [InlineData("""{"os_exit": 7}""", "exit status 7")]
    public async Task AHandlerThatExitsGivesExitErrorAndTheNextInvokeWorks(string payload, string status)
    {
        var name = await DeployAsync("exits");

        var exited = await P.InvokeAsync(name, payload);
        var next = await P.InvokeAsync(name);

        Assert.Equal("Runtime.ExitError", exited.Error?.ErrorType);
        Assert.Contains(status, exited.Error!.ErrorMessage);
        Assert.Null(next.Error);
    }

    [Fact]
    public async Task AHandlerFloodingStdoutGetsItsLogsCappedAndTheNextInvokeWorks()
    {
        var name = await DeployAsync("flood");

        var flooded = await P.InvokeAsync(name, """{"flood_mb": 20}""");
        var next = await P.InvokeAsync(name);

        Assert.Null(flooded.Error);
        Assert.InRange(flooded.Logs.Length, 1, 2 * 1024 * 1024);
        Assert.Null(next.Error);
    }

    [Fact]
    public async Task AHandlerThatForksHasItsChildrenKilledAndItsInstanceReplaced()
    {
        var name = await DeployAsync("forker");

        var forked = await P.InvokeAsync(name, """{"fork": true}""");
        var child = Json(forked).GetProperty("child").GetInt32();
        var next = await P.InvokeAsync(name);

        Assert.True(await Signals.WaitUntilAsync(() => !Signals.IsAlive(child), TimeSpan.FromSeconds(10)), "the handler's child outlived the invocation");
        Assert.Null(next.Error);
        Assert.NotEqual(forked.InstanceId, next.InstanceId);
    }
}
