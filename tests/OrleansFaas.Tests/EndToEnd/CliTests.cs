using System.Text.Json;

namespace OrleansFaas.Tests.EndToEnd;

/// <summary>The ./faas command line against the two-silo cluster: output and exit codes.</summary>
[Collection(TwoSiloClusterCollection.Name)]
public class CliTests(TwoSiloClusterFixture fixture)
{
    private Task<(int ExitCode, string Stdout, string Stderr)> FaasAsync(params string[] args) => fixture.Platform.FaasAsync(args);

    [Fact]
    public async Task DeploysInvokesAndBillsThroughTheCommandLine()
    {
        var name = "cli-" + Guid.NewGuid().ToString("N")[..8];

        var deploy = await FaasAsync("deploy", name, "--code", RepoPaths.Example("echo"), "--handler", "echo.handler", "--memory", "256");
        var invoke = await FaasAsync("invoke", name, "--payload", """{"x": 1}""");
        var invokeJson = await FaasAsync("invoke", name, "--payload", "[1,2]", "--output", "json");
        var redeploy = await FaasAsync("deploy", name, "--code", RepoPaths.Example("hello"), "--handler", "hello.handler");
        var hello = await FaasAsync("invoke", name);
        var billing = await FaasAsync("billing", name, "--output", "json");
        var list = await FaasAsync("list", "--output", "json");
        var delete = await FaasAsync("delete", name);

        Assert.True(deploy.ExitCode == 0, deploy.Stderr);
        Assert.Equal(0, invoke.ExitCode);
        Assert.Equal(1, JsonDocument.Parse(invoke.Stdout).RootElement.GetProperty("x").GetInt32());
        var result = JsonDocument.Parse(invokeJson.Stdout).RootElement;
        Assert.Equal(2, result.GetProperty("payload")[1].GetInt32());
        Assert.False(result.GetProperty("coldStart").GetBoolean() && result.GetProperty("initDurationMs").GetDouble() <= 0);
        Assert.Contains(result.GetProperty("silo").GetString(), new[] { "silo1", "silo2" });
        Assert.Equal(0, redeploy.ExitCode);
        Assert.Equal("\"What's Up!\"", hello.Stdout.Trim());
        var bill = JsonDocument.Parse(billing.Stdout).RootElement;
        Assert.Equal(3, bill.GetProperty("invocations").GetInt64());
        foreach (var key in new[] { "function", "billedMs", "gbSeconds", "cost" })
        {
            Assert.True(bill.TryGetProperty(key, out _), $"billing JSON lacks {key}");
        }
        Assert.Contains(JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray(), f => f.GetProperty("name").GetString() == name);
        Assert.Equal(0, delete.ExitCode);
    }

    [Fact]
    public async Task AFunctionErrorExitsOneWithTheLambdaShapedError()
    {
        var name = "cli-err-" + Guid.NewGuid().ToString("N")[..8];
        await FaasAsync("deploy", name, "--code", RepoPaths.Example("errors"), "--handler", "errors.handler");

        var (exitCode, stdout, _) = await FaasAsync("invoke", name);

        Assert.Equal(1, exitCode);
        var error = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("CustomError", error.GetProperty("errorType").GetString());
        Assert.Equal("something went wrong", error.GetProperty("errorMessage").GetString());
        Assert.Equal(JsonValueKind.Array, error.GetProperty("stackTrace").ValueKind);
    }

    [Fact]
    public async Task APlatformErrorExitsTwoWithAOneLineReason()
    {
        var (exitCode, stdout, stderr) = await FaasAsync("invoke", "no-such-function");

        Assert.Equal(2, exitCode);
        Assert.Empty(stdout);
        Assert.Contains("NotFound", stderr);
        Assert.Contains("Function not found", stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }
}
