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
}
