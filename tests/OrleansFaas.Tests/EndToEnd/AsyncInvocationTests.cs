using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using OrleansFaas.Api.V1;

namespace OrleansFaas.Tests.EndToEnd;

/// <summary>A two-silo cluster with fast async retries (200 ms, 400 ms) and a short claim idle time.</summary>
public sealed class AsyncClusterFixture : IAsyncLifetime
{
    public static readonly IReadOnlyDictionary<string, string> Environment = new Dictionary<string, string>
    {
        ["FAAS_ASYNC_RETRY_DELAYS"] = "200ms,400ms",
        ["FAAS_ASYNC_CLAIM_IDLE"] = "2s",
    };

    public Platform Platform { get; private set; } = null!;

    public async Task InitializeAsync() => Platform = await Platform.StartClusterAsync(2, Environment);

    public async Task DisposeAsync() => await Platform.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class AsyncClusterCollection : ICollectionFixture<AsyncClusterFixture>
{
    public const string Name = "async cluster";
}

/// <summary>Event invocations end to end: queued, run with the same request id, retried, sent to destinations.</summary>
[Collection(AsyncClusterCollection.Name)]
public class AsyncInvocationTests(AsyncClusterFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private Platform P => fixture.Platform;

    [Fact]
    public async Task AnAsyncInvokeAnswersWithARequestIdAndRunsTheHandlerWithItThenCallsOnSuccess()
    {
        var name = "async-ok-" + Guid.NewGuid().ToString("N")[..8];
        var destination = name + "-dest";
        await P.DeployAsync(destination, RepoPaths.TestFunction("async_destination"), "destination.handler");
        var deploy = await P.FaasAsync("deploy", name, "--code", RepoPaths.TestFunction("async_probe"), "--handler", "probe.handler",
            "--retries", "0", "--max-event-age", "120", "--on-success", destination);
        var runs = Path.Combine(P.WorkDir, name + ".runs");
        var records = Path.Combine(P.WorkDir, name + ".records");

        var invoke = await P.FaasAsync("invoke", name, "--async", "--payload",
            JsonSerializer.Serialize(new { file = runs, destinationFile = records }));

        Assert.True(deploy.ExitCode == 0, deploy.Stderr);
        Assert.True(invoke.ExitCode == 0, invoke.Stderr);
        var requestId = JsonDocument.Parse(invoke.Stdout).RootElement.GetProperty("requestId").GetString()!;
        Assert.True(Guid.TryParse(requestId, out _), invoke.Stdout);
        var record = await AsyncFiles.WaitForRecordAsync(records, Bound);
        Assert.Equal([("start", requestId), ("done", requestId)], AsyncFiles.Runs(runs).Select(r => (r.Phase, r.RequestId)));
        Assert.Equal("Success", record.GetProperty("requestContext").GetProperty("condition").GetString());
        Assert.Equal(requestId, record.GetProperty("requestContext").GetProperty("requestId").GetString());
        Assert.Equal(requestId, record.GetProperty("responsePayload").GetProperty("requestId").GetString());
        var configuration = await P.Functions.GetFunctionAsync(new GetFunctionRequest { Name = name });
        Assert.Equal((0, 120, destination, ""), (configuration.MaximumRetryAttempts, configuration.MaximumEventAgeSeconds, configuration.OnSuccess, configuration.OnFailure));
    }

    [Fact]
    public async Task AFailingEventIsRetriedMaximumRetryAttemptsTimesThenSentToTheOnFailureFunction()
    {
        var name = "async-fail-" + Guid.NewGuid().ToString("N")[..8];
        var destination = name + "-dest";
        await P.DeployAsync(destination, RepoPaths.TestFunction("async_destination"), "destination.handler");
        await P.Functions.CreateFunctionAsync(new CreateFunctionRequest
        {
            Name = name,
            Handler = "probe.handler",
            CodeZip = Platform.ZipDirectory(RepoPaths.TestFunction("async_probe")),
            MaximumRetryAttempts = 2,
            OnFailure = destination,
        });
        var runs = Path.Combine(P.WorkDir, name + ".runs");
        var records = Path.Combine(P.WorkDir, name + ".records");
        var payload = JsonSerializer.Serialize(new { file = runs, destinationFile = records, fail = true });

        var response = await P.Invoker.InvokeAsyncAsync(new InvokeAsyncRequest { FunctionName = name, Payload = ByteString.CopyFromUtf8(payload) });

        var record = await AsyncFiles.WaitForRecordAsync(records, Bound);
        var starts = AsyncFiles.Runs(runs).Where(r => r.Phase == "start").ToList();
        Assert.Equal(3, starts.Count); // the first run and MaximumRetryAttempts = 2 retries
        Assert.All(starts, r => Assert.Equal(response.RequestId, r.RequestId));
        var context = record.GetProperty("requestContext");
        Assert.Equal("RetriesExhausted", context.GetProperty("condition").GetString());
        Assert.Equal(3, context.GetProperty("approximateInvokeCount").GetInt32());
        Assert.Equal(response.RequestId, context.GetProperty("requestId").GetString());
        Assert.EndsWith($":function:{name}:$LATEST", context.GetProperty("functionArn").GetString());
        Assert.Equal(runs, record.GetProperty("requestPayload").GetProperty("file").GetString());
        Assert.True(record.GetProperty("requestPayload").GetProperty("fail").GetBoolean());
        Assert.Equal("Unhandled", record.GetProperty("responseContext").GetProperty("functionError").GetString());
        Assert.Equal("RuntimeError", record.GetProperty("responsePayload").GetProperty("errorType").GetString());
        Assert.Equal("failing on purpose", record.GetProperty("responsePayload").GetProperty("errorMessage").GetString());
    }

    [Fact]
    public async Task AFailedEventGoesToTheDeadLetterListShownByTheCommandLine()
    {
        var name = "async-dlq-" + Guid.NewGuid().ToString("N")[..8];
        var deploy = await P.FaasAsync("deploy", name, "--code", RepoPaths.TestFunction("async_probe"), "--handler", "probe.handler",
            "--retries", "1", "--on-failure", "dead-letter");
        var runs = Path.Combine(P.WorkDir, name + ".runs");
        var payload = JsonSerializer.Serialize(new { file = runs, fail = true });

        var response = await P.Invoker.InvokeAsyncAsync(new InvokeAsyncRequest { FunctionName = name, Payload = ByteString.CopyFromUtf8(payload) });

        Assert.True(deploy.ExitCode == 0, deploy.Stderr);
        var listed = await Signals.WaitUntilAsync(
            () => P.Invoker.ListDeadLetters(new ListDeadLettersRequest { Name = name }).DeadLetters.Count > 0, Bound);
        Assert.True(listed, "no dead letter within " + Bound);
        var json = await P.FaasAsync("dead-letters", name, "--output", "json");
        var text = await P.FaasAsync("dead-letters", name);
        Assert.Equal(0, json.ExitCode);
        var record = Assert.Single(JsonDocument.Parse(json.Stdout).RootElement.EnumerateArray());
        Assert.Equal("RetriesExhausted", record.GetProperty("requestContext").GetProperty("condition").GetString());
        Assert.Equal(2, record.GetProperty("requestContext").GetProperty("approximateInvokeCount").GetInt32());
        Assert.Equal(runs, record.GetProperty("requestPayload").GetProperty("file").GetString());
        Assert.Equal(2, AsyncFiles.Runs(runs).Count(r => r.Phase == "start" && r.RequestId == response.RequestId));
        Assert.Equal(0, text.ExitCode);
        Assert.Contains(response.RequestId, text.Stdout);
        Assert.Contains("RuntimeError: failing on purpose", text.Stdout);
    }

    [Fact]
    public async Task AnAsyncPayloadOverOneMebibyteIsRejected()
    {
        var name = "async-big-" + Guid.NewGuid().ToString("N")[..8];
        await P.DeployAsync(name, RepoPaths.TestFunction("async_probe"), "probe.handler");
        var payload = "\"" + new string('x', 1_048_577 - 2) + "\"";

        var e = await Assert.ThrowsAsync<RpcException>(() =>
            P.Invoker.InvokeAsyncAsync(new InvokeAsyncRequest { FunctionName = name, Payload = ByteString.CopyFromUtf8(payload) }).ResponseAsync);
        var missing = await Assert.ThrowsAsync<RpcException>(() =>
            P.Invoker.InvokeAsyncAsync(new InvokeAsyncRequest { FunctionName = "no-such-" + name }).ResponseAsync);
        var file = Path.Combine(P.WorkDir, name + ".json");
        await File.WriteAllTextAsync(file, payload);
        var cli = await P.FaasAsync("invoke", name, "--async", "--payload-file", file);

        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
        Assert.Equal("1048577 byte payload is too large for the Event invocation type (limit 1048576 bytes)", e.Status.Detail);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.Equal(2, cli.ExitCode);
        Assert.Contains("too large for the Event invocation type", cli.Stderr);
    }

    [Fact]
    public async Task AsyncConfigurationOutOfRangeIsRejected()
    {
        var name = "async-bad-" + Guid.NewGuid().ToString("N")[..8];

        var deploy = await P.FaasAsync("deploy", name, "--code", RepoPaths.TestFunction("async_probe"), "--handler", "probe.handler",
            "--retries", "3");

        Assert.Equal(2, deploy.ExitCode);
        Assert.Contains("maximumRetryAttempts", deploy.Stderr);
    }
}

/// <summary>An event survives the death of the silo running it.</summary>
public class AsyncSiloFailureTests
{
    [Fact]
    public async Task AnEventRunningOnASiloThatIsKilledCompletesOnTheOtherSilo()
    {
        await using var platform = await Platform.StartClusterAsync(2, AsyncClusterFixture.Environment);
        var name = "async-kill-" + Guid.NewGuid().ToString("N")[..8];
        await platform.DeployAsync(name, RepoPaths.TestFunction("async_probe"), "probe.handler", timeoutSeconds: 60);
        var runs = Path.Combine(platform.WorkDir, name + ".runs");
        var payload = JsonSerializer.Serialize(new { file = runs, sleep = 8 });

        var response = await platform.Invoker.InvokeAsyncAsync(new InvokeAsyncRequest { FunctionName = name, Payload = ByteString.CopyFromUtf8(payload) });
        Assert.True(await Signals.WaitUntilAsync(() => AsyncFiles.Runs(runs).Count > 0, TimeSpan.FromSeconds(60)), "the event never started");
        var first = AsyncFiles.Runs(runs)[0];
        var running = Enumerable.Range(0, platform.Silos.Count).Single(i => AsyncFiles.CommandLine(first.Pid).Contains(platform.SiloDataDirs[i] + "/", StringComparison.Ordinal));
        platform.Silos[running].Kill();

        var done = await Signals.WaitUntilAsync(() => AsyncFiles.Runs(runs).Any(r => r.Phase == "done"), TimeSpan.FromSeconds(150));

        var all = AsyncFiles.Runs(runs);
        Assert.True(done, "the event did not complete after its silo was killed:\n" + string.Join("\n", File.ReadAllLines(runs))
            + "\n--- surviving silo ---\n" + platform.Silos[1 - running].ReadLog());
        Assert.All(all, r => Assert.Equal(response.RequestId, r.RequestId));
        var finished = all.Single(r => r.Phase == "done");
        Assert.NotEqual(first.Pid, finished.Pid);
        Assert.False(AsyncFiles.CommandLine(finished.Pid).Contains(platform.SiloDataDirs[running] + "/", StringComparison.Ordinal));
    }
}

internal static class AsyncFiles
{
    public sealed record Run(string Phase, string RequestId, int Pid);

    /// <summary>The probe handler's lines: one per start and per successful end of a run.</summary>
    public static List<Run> Runs(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }
        return File.ReadAllLines(path).Where(l => l.EndsWith('}')).Select(l =>
        {
            var run = JsonDocument.Parse(l).RootElement;
            return new Run(run.GetProperty("phase").GetString()!, run.GetProperty("requestId").GetString()!, run.GetProperty("pid").GetInt32());
        }).ToList();
    }

    public static async Task<JsonElement> WaitForRecordAsync(string path, TimeSpan bound)
    {
        var arrived = await Signals.WaitUntilAsync(() => File.Exists(path) && File.ReadAllText(path).EndsWith('\n'), bound);
        Assert.True(arrived, $"no destination record in {path} within {bound}");
        return JsonDocument.Parse(File.ReadAllLines(path)[0]).RootElement;
    }

    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }
}
