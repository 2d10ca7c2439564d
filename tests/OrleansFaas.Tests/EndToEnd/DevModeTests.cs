using Grpc.Core;

namespace OrleansFaas.Tests.EndToEnd;

/// <summary>Dev mode (one process: silo + gateway, memory stores) and the rule that no worker outlives its silo.</summary>
public class DevModeTests
{
    [Fact]
    public async Task DevModeServesInvocationsWithoutRedisAndStopsItsWorkersOnShutdown()
    {
        await using var platform = await Platform.StartDevAsync();
        await platform.DeployAsync("hello", RepoPaths.Example("hello"), "hello.handler");

        var response = await platform.InvokeAsync("hello");
        var workers = platform.WorkerPids();
        await platform.Gateway.StopAsync(); // SIGTERM: a graceful shutdown

        Assert.Equal("\"What's Up!\"", response.Payload.ToStringUtf8());
        Assert.NotEmpty(workers);
        Assert.True(await Signals.WaitUntilAsync(() => workers.All(p => !Signals.IsAlive(p)), TimeSpan.FromSeconds(10)),
            "workers still running after the silo stopped");
        Assert.Contains("Stopped every worker of this silo", platform.Gateway.ReadLog());
    }

    [Fact]
    public async Task WorkersDieWhenTheirSiloIsKilled()
    {
        await using var platform = await Platform.StartDevAsync();
        await platform.DeployAsync("counter", RepoPaths.Example("counter"), "counter.handler");
        await platform.InvokeAsync("counter");
        var workers = platform.WorkerPids();

        platform.Gateway.Kill(); // SIGKILL: no chance to clean up

        Assert.NotEmpty(workers);
        Assert.True(await Signals.WaitUntilAsync(() => workers.All(p => !Signals.IsAlive(p)), TimeSpan.FromSeconds(10)),
            "a worker outlived its SIGKILLed silo");
    }

    [Fact]
    public async Task AnInterpreterWithoutGrpcGivesAClearUnavailableError()
    {
        var wrapper = Path.Combine(Path.GetTempPath(), $"python-no-grpc-{Guid.NewGuid():N}.sh");
        // -S drops site-packages, where Debian's python3-grpcio lives: the worker cannot import grpc.
        await File.WriteAllTextAsync(wrapper, "#!/bin/sh\nexec /usr/bin/python3 -S \"$@\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        try
        {
            await using var platform = await Platform.StartDevAsync(new Dictionary<string, string> { ["FAAS_PYTHON"] = wrapper });
            await platform.DeployAsync("hello", RepoPaths.Example("hello"), "hello.handler");

            var e = await Assert.ThrowsAsync<RpcException>(() => platform.InvokeAsync("hello"));

            Assert.Equal(StatusCode.Unavailable, e.StatusCode);
            Assert.Contains("cannot import grpc", e.Status.Detail);
            Assert.Contains("python3-grpcio", e.Status.Detail);
        }
        finally
        {
            File.Delete(wrapper);
        }
    }
}
