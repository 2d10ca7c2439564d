using OrleansFaas.Api.V1;

namespace OrleansFaas.Tests.EndToEnd;

/// <summary>Stem cells, keep-alive reaping and provisioned concurrency, on dev-mode platforms with short timers.</summary>
public class WarmPoolTests
{
    /// <summary>Instance workers of a platform: their sockets are named after the instance (stem cells' start with "stem-").</summary>
    private static int InstanceSockets(Platform platform) =>
        platform.SiloDataDirs.Sum(d => Directory.Exists(Path.Combine(d, "sockets"))
            ? Directory.GetFiles(Path.Combine(d, "sockets"), "*.sock").Count(f => !Path.GetFileName(f).StartsWith("stem-", StringComparison.Ordinal))
            : 0);

    private static int StemCellSockets(Platform platform) =>
        platform.SiloDataDirs.Sum(d => Directory.Exists(Path.Combine(d, "sockets"))
            ? Directory.GetFiles(Path.Combine(d, "sockets"), "stem-*.sock").Length
            : 0);

    [Fact]
    public async Task AColdStartTakesAStemCellAndTheSiloRefillsIt()
    {
        await using var platform = await Platform.StartDevAsync(new Dictionary<string, string> { ["FAAS_STEM_CELLS"] = "2" });
        Assert.True(await Signals.WaitUntilAsync(() => StemCellSockets(platform) == 2, TimeSpan.FromSeconds(30)), "stem cells never became ready");
        await platform.DeployAsync("hello", RepoPaths.Example("hello"), "hello.handler");

        var response = await platform.InvokeAsync("hello");

        Assert.True(response.ColdStart);
        Assert.Equal("stem-cell", response.ColdStartSource);
        Assert.Equal("\"What's Up!\"", response.Payload.ToStringUtf8());
        Assert.True(await Signals.WaitUntilAsync(() => StemCellSockets(platform) == 2, TimeSpan.FromSeconds(30)), "the stem cell taken was not replaced");
    }

    [Fact]
    public async Task WithoutStemCellsAColdStartStartsAWorkerItself()
    {
        await using var platform = await Platform.StartDevAsync(new Dictionary<string, string> { ["FAAS_STEM_CELLS"] = "0" });
        await platform.DeployAsync("hello", RepoPaths.Example("hello"), "hello.handler");

        var response = await platform.InvokeAsync("hello");

        Assert.True(response.ColdStart);
        Assert.Contains(response.ColdStartSource, new[] { "fork", "spawn" });
        Assert.Equal(0, StemCellSockets(platform));
    }

    [Fact]
    public async Task KeepAliveReapsIdleInstancesToZeroAndProvisionedOnesStay()
    {
        await using var platform = await Platform.StartDevAsync(new Dictionary<string, string>
        {
            ["FAAS_STEM_CELLS"] = "0",
            ["FAAS_KEEP_ALIVE"] = "1s",
            ["FAAS_SWEEP_INTERVAL"] = "250ms",
        });
        await platform.DeployAsync("ondemand", RepoPaths.Example("counter"), "counter.handler");
        await platform.Functions.CreateFunctionAsync(new CreateFunctionRequest
        {
            Name = "provisioned",
            Handler = "counter.handler",
            ProvisionedConcurrency = 2,
            CodeZip = Platform.ZipDirectory(RepoPaths.Example("counter")),
        });

        var onDemand = await platform.InvokeAsync("ondemand");
        Assert.True(onDemand.ColdStart);
        Assert.True(await Signals.WaitUntilAsync(() => InstanceSockets(platform) == 2, TimeSpan.FromSeconds(20)),
            $"expected only the 2 provisioned instances after the keep-alive, found {InstanceSockets(platform)}");
        await Task.Delay(TimeSpan.FromSeconds(2)); // several keep-alives and sweeps later
        var stillProvisioned = InstanceSockets(platform);
        var provisionedInvoke = await platform.InvokeAsync("provisioned");
        var onDemandAgain = await platform.InvokeAsync("ondemand");

        Assert.Equal(2, stillProvisioned);
        Assert.False(provisionedInvoke.ColdStart, "a provisioned instance was not warm");
        Assert.True(onDemandAgain.ColdStart, "the on-demand function was not scaled to zero");
    }

    [Fact]
    public async Task AFullSiloEvictsTheIdleInstanceUsedLongestAgoAndThrottlesWhatCanNeverFit()
    {
        await using var platform = await Platform.StartDevAsync(new Dictionary<string, string>
        {
            ["FAAS_STEM_CELLS"] = "0",
            ["FAAS_SILO_MEMORY_MB"] = "256",
        });
        foreach (var name in new[] { "first", "second", "third" })
        {
            await platform.DeployAsync(name, RepoPaths.Example("counter"), "counter.handler", memoryMb: 128);
        }
        await platform.DeployAsync("huge", RepoPaths.Example("hello"), "hello.handler", memoryMb: 512);

        var first = await platform.InvokeAsync("first");
        var second = await platform.InvokeAsync("second");
        var third = await platform.InvokeAsync("third");  // the silo is full: "first" (used longest ago) goes
        var secondAgain = await platform.InvokeAsync("second");
        var firstAgain = await platform.InvokeAsync("first"); // full again: "third" (used before "second") goes
        var huge = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => platform.InvokeAsync("huge"));

        Assert.All(new[] { first, second, third, secondAgain, firstAgain }, r => Assert.Null(r.Error));
        Assert.True(third.ColdStart);
        Assert.False(secondAgain.ColdStart);            // survived: it was not the oldest
        Assert.True(firstAgain.ColdStart);              // it was evicted for "third"
        Assert.Equal(2, InstanceSockets(platform));     // never more than the budget holds
        Assert.Equal(Grpc.Core.StatusCode.ResourceExhausted, huge.StatusCode);
        Assert.Contains("does not fit this silo's memory budget of 256 MB", huge.Status.Detail);
    }
}
