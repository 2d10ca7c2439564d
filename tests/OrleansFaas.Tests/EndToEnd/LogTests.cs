using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Grpc.Core;
using OrleansFaas.Api.V1;

namespace OrleansFaas.Tests.EndToEnd;

/// <summary>
/// Invocation logs (Lambda's START / END / REPORT text), the log tail of an invoke, and activation records, on the
/// two-silo cluster (Redis Streams), through the API and the real CLI. Logs trail the response: reads poll.
/// </summary>
[Collection(TwoSiloClusterCollection.Name)]
public class LogTests(TwoSiloClusterFixture fixture)
{
    private static readonly TimeSpan LogWait = TimeSpan.FromSeconds(15);

    private Platform P => fixture.Platform;

    private static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    private async Task<string> DeployChattyAsync(string prefix)
    {
        var name = UniqueName(prefix);
        await P.DeployAsync(name, RepoPaths.TestFunction("chatty"), "chatty.handler");
        return name;
    }

    private Task<InvokeResponse> InvokeWithTailAsync(string name, string payload = "") =>
        P.Invoker.InvokeAsync(new InvokeRequest { FunctionName = name, Payload = ByteString.CopyFromUtf8(payload), LogTail = true }).ResponseAsync;

    /// <summary>Polls (bounded) until the function's log holds at least <paramref name="count"/> entries.</summary>
    private async Task<GetLogsResponse> WaitForLogsAsync(string name, int count)
    {
        var deadline = DateTime.UtcNow + LogWait;
        while (true)
        {
            var page = await P.Functions.GetLogsAsync(new GetLogsRequest { Name = name, Limit = 1000 });
            if (page.Entries.Count >= count || DateTime.UtcNow > deadline)
            {
                return page;
            }
            await Task.Delay(100);
        }
    }

    private async Task<ListActivationsResponse> WaitForActivationsAsync(string name, int count)
    {
        var deadline = DateTime.UtcNow + LogWait;
        while (true)
        {
            var response = await P.Functions.ListActivationsAsync(new ListActivationsRequest { Name = name, Limit = 100 });
            if (response.Activations.Count >= count || DateTime.UtcNow > deadline)
            {
                return response;
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Checks one invocation's log text line by line, exactly as lambda.md §3.4 shapes it.</summary>
    private static void AssertLambdaShaped(string text, InvokeResponse response)
    {
        var id = Regex.Escape(response.RequestId);
        Assert.EndsWith("\n", text);
        var lines = text[..^1].Split('\n');
        Assert.Equal($"START RequestId: {response.RequestId} Version: $LATEST", lines[0]);
        Assert.Equal($"END RequestId: {response.RequestId}", lines[^2]);
        var init = response.ColdStart ? @"Init Duration: \d+\.\d{2} ms\t" : "";
        Assert.Matches(
            $@"^REPORT RequestId: {id}\tDuration: \d+\.\d{{2}} ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\t{init}$",
            lines[^1]);
        // The handler's own output sits between START and END; on a cold start the init output comes first.
        var body = lines[1..^2];
        Assert.Contains("hello from " + response.RequestId, body);
        if (response.ColdStart)
        {
            Assert.True(Array.IndexOf(body, "init: chatty loaded") is >= 0 and var i && i < Array.IndexOf(body, "hello from " + response.RequestId),
                "the init output comes first on a cold start:\n" + text);
        }
        else
        {
            Assert.DoesNotContain("init: chatty loaded", body);
        }
    }

    [Fact]
    public async Task EveryInvocationLogsStartHandlerOutputEndAndReportWithInitDurationOnlyWhenCold()
    {
        var name = await DeployChattyAsync("logs");

        var responses = new List<InvokeResponse>();
        for (var i = 0; i < 4; i++)
        {
            responses.Add(await InvokeWithTailAsync(name));
        }
        var page = await WaitForLogsAsync(name, responses.Count);

        Assert.Contains(responses, r => r.ColdStart);
        Assert.Contains(responses, r => !r.ColdStart);
        foreach (var response in responses)
        {
            AssertLambdaShaped(response.LogResult, response);
            Assert.Equal(response.ColdStart, response.LogResult.Contains("\tInit Duration: ", StringComparison.Ordinal));
        }
        // Short logs: the tail is the whole text, and the stored entry is that same text.
        Assert.Equal(responses.Select(r => r.RequestId).Order(), page.Entries.Select(e => e.RequestId).Order());
        foreach (var entry in page.Entries)
        {
            Assert.Equal(responses.Single(r => r.RequestId == entry.RequestId).LogResult, entry.Text);
        }
    }

    [Fact]
    public async Task TheLogTailIsAtMost4096BytesAndEndsWithTheReportLine()
    {
        var name = await DeployChattyAsync("tail");

        var response = await InvokeWithTailAsync(name, """{"lines": 200}""");
        var page = await WaitForLogsAsync(name, 1);

        var tail = response.LogResult;
        Assert.InRange(Encoding.UTF8.GetByteCount(tail), 4000, 4096);
        Assert.DoesNotContain('\uFFFD', tail);
        Assert.Matches(@"\nREPORT RequestId: [^\n]+\tMax Memory Used: \d+ MB\t(Init Duration: \d+\.\d{2} ms\t)?\n$", tail);
        Assert.DoesNotContain("START RequestId", tail); // the start was cut off: the full text is longer
        var stored = Assert.Single(page.Entries).Text;
        Assert.StartsWith("START RequestId: " + response.RequestId, stored);
        Assert.EndsWith(tail, stored);
        Assert.Contains("line 00199 ", stored);
    }

    [Fact]
    public async Task ActivationRecordsCountEveryInvocationWithItsStartTypeAndStatus()
    {
        var name = await DeployChattyAsync("acts");

        var responses = new List<InvokeResponse>
        {
            await P.InvokeAsync(name),
            await P.InvokeAsync(name),
            await P.InvokeAsync(name, """{"fail": true}"""),
            await P.InvokeAsync(name),
        };
        var activations = (await WaitForActivationsAsync(name, responses.Count)).Activations;

        Assert.Equal(responses.Count, activations.Count);
        foreach (var response in responses)
        {
            var record = Assert.Single(activations, a => a.RequestId == response.RequestId);
            Assert.Equal(response.ColdStart, record.ColdStart);
            Assert.Equal(response.ColdStart, record.InitDurationMs > 0);
            Assert.Equal(response.Error is null ? "success" : "error", record.Status);
            Assert.Equal(response.Error?.ErrorType ?? "", record.ErrorType);
            Assert.Equal(response.Silo, record.Silo);
            Assert.Equal(response.InstanceId, record.InstanceId);
            Assert.Equal(128, record.MemoryMb);
            Assert.Equal(response.BilledMs, record.BilledMs);
            Assert.InRange(DateTimeOffset.FromUnixTimeMilliseconds(record.StartUnixMs), DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddSeconds(5));
        }
        Assert.Equal("ValueError", Assert.Single(activations, a => a.Status == "error").ErrorType);
    }

    [Fact]
    public async Task ATimedOutInvocationIsRecordedAsATimeout()
    {
        var name = UniqueName("slow");
        await P.DeployAsync(name, RepoPaths.TestFunction("sleepy"), "sleepy.handler", timeoutSeconds: 1);

        var response = await P.InvokeAsync(name, """{"sleep": 5}""");
        var record = Assert.Single((await WaitForActivationsAsync(name, 1)).Activations);
        var text = Assert.Single((await WaitForLogsAsync(name, 1)).Entries).Text;

        Assert.Equal("Sandbox.Timedout", response.Error?.ErrorType);
        Assert.Equal("timeout", record.Status);
        Assert.Equal("Sandbox.Timedout", record.ErrorType);
        Assert.Contains("Task timed out after 1.00 seconds\nEND RequestId: " + response.RequestId, text);
    }

    [Fact]
    public async Task LogsAndActivationsOfAnUnknownFunctionAreNotFound()
    {
        var logs = await Assert.ThrowsAsync<RpcException>(() => P.Functions.GetLogsAsync(new GetLogsRequest { Name = "no-such-function" }).ResponseAsync);
        var activations = await Assert.ThrowsAsync<RpcException>(() => P.Functions.ListActivationsAsync(new ListActivationsRequest { Name = "no-such-function" }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, logs.StatusCode);
        Assert.Contains("Function not found", logs.Status.Detail);
        Assert.Equal(StatusCode.NotFound, activations.StatusCode);
    }

    [Fact]
    public async Task TheCommandLineShowsLogTailsLogsAndActivations()
    {
        var name = await DeployChattyAsync("cli-logs");

        var text = await FaasAsync("invoke", name, "--log-tail");
        var json = await FaasAsync("invoke", name, "--log-tail", "--output", "json");
        var failed = await FaasAsync("invoke", name, "--payload", """{"fail": true}""");
        var requestId = JsonDocument.Parse(json.Stdout).RootElement.GetProperty("requestId").GetString()!;
        await WaitForActivationsAsync(name, 3);
        await WaitForLogsAsync(name, 3);
        var logs = await FaasAsync("logs", name);
        var logsJson = await FaasAsync("logs", name, "--since", "10m", "--output", "json");
        var activations = await FaasAsync("activations", name);
        var activationsJson = await FaasAsync("activations", name, "--limit", "2", "--output", "json");

        Assert.Equal(0, text.ExitCode);
        Assert.Equal("{\"ok\": true}", text.Stdout.Trim());
        Assert.Matches(@"START RequestId: \S+ Version: \$LATEST\n(.*\n)*END RequestId: \S+\nREPORT RequestId: [^\n]+\t\n$", text.Stderr);
        Assert.Equal(0, json.ExitCode);
        Assert.EndsWith("\t\n", JsonDocument.Parse(json.Stdout).RootElement.GetProperty("logResult").GetString());
        Assert.Equal(1, failed.ExitCode);

        Assert.Equal(0, logs.ExitCode);
        Assert.Equal(3, Regex.Count(logs.Stdout, "^START RequestId: ", RegexOptions.Multiline));
        Assert.Equal(3, Regex.Count(logs.Stdout, @"^REPORT RequestId: [^\n]+\t$", RegexOptions.Multiline));
        Assert.Contains("hello from " + requestId + "\n", logs.Stdout);
        var entries = JsonDocument.Parse(logsJson.Stdout).RootElement;
        Assert.Equal(3, entries.GetArrayLength());
        Assert.Contains(entries.EnumerateArray(), e => e.GetProperty("requestId").GetString() == requestId
            && e.GetProperty("text").GetString()!.StartsWith("START RequestId: " + requestId, StringComparison.Ordinal)
            && e.GetProperty("timestampUnixMs").GetInt64() > 0);

        Assert.Equal(0, activations.ExitCode);
        var rows = activations.Stdout.TrimEnd('\n').Split('\n');
        Assert.StartsWith("START (UTC)", rows[0]);
        Assert.Equal(4, rows.Length);
        Assert.Contains("error", rows[1]); // newest first: the failed invocation
        var records = JsonDocument.Parse(activationsJson.Stdout).RootElement;
        Assert.Equal(2, records.GetArrayLength());
        Assert.Equal("error", records[0].GetProperty("status").GetString());
        Assert.Equal("ValueError", records[0].GetProperty("errorType").GetString());
        Assert.Equal(requestId, records[1].GetProperty("requestId").GetString());
        foreach (var key in new[] { "startUnixMs", "durationMs", "billedMs", "memoryMb", "maxMemoryUsedMb", "initDurationMs", "coldStart", "silo", "instanceId" })
        {
            Assert.True(records[0].TryGetProperty(key, out _), $"activation JSON lacks {key}");
        }
    }

    [Fact]
    public async Task FollowingALogPrintsNewInvocationsAsTheyHappen()
    {
        var name = await DeployChattyAsync("follow");
        await P.InvokeAsync(name);
        await WaitForLogsAsync(name, 1);
        await using var follow = OwnedProcess.Start("bash", [RepoPaths.FaasScript, "logs", name, "--follow"],
            new Dictionary<string, string> { ["FAAS_ENDPOINT"] = P.Endpoint },
            Path.Combine(Path.GetTempPath(), $"faas-follow-{Guid.NewGuid():N}.log"));
        try
        {
            Assert.True(await Signals.WaitUntilAsync(() => follow.ReadLog().Contains("REPORT RequestId: "), LogWait), follow.ReadLog());

            var later = await P.InvokeAsync(name);

            Assert.True(await Signals.WaitUntilAsync(() => follow.ReadLog().Contains("END RequestId: " + later.RequestId), LogWait), follow.ReadLog());
            Assert.Equal(2, Regex.Count(follow.ReadLog(), "^START RequestId: ", RegexOptions.Multiline));
            Assert.False(follow.HasExited);
        }
        finally
        {
            await follow.StopAsync();
            File.Delete(follow.LogPath);
        }
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> FaasAsync(params string[] args) => P.FaasAsync(args);
}

/// <summary>Dev mode keeps logs and activation records in memory, with the same API.</summary>
public class DevModeLogTests
{
    [Fact]
    public async Task DevModeKeepsLogsAndActivationRecordsInMemoryCappedByTheRetention()
    {
        await using var platform = await Platform.StartDevAsync(new Dictionary<string, string> { ["FAAS_LOG_RETENTION"] = "3" });
        await platform.DeployAsync("chatty", RepoPaths.TestFunction("chatty"), "chatty.handler");

        var responses = new List<InvokeResponse>();
        for (var i = 0; i < 5; i++)
        {
            responses.Add(await platform.InvokeAsync("chatty"));
        }
        var newest = responses.TakeLast(3).Select(r => r.RequestId).ToList();
        GetLogsResponse page = null!;
        Assert.True(await Signals.WaitUntilAsync(() =>
        {
            page = platform.Functions.GetLogs(new GetLogsRequest { Name = "chatty" });
            return page.Entries.Count == 3 && page.Entries[^1].RequestId == newest[^1];
        }, TimeSpan.FromSeconds(15)));
        var activations = platform.Functions.ListActivations(new ListActivationsRequest { Name = "chatty", Limit = 10 }).Activations;

        Assert.Equal(newest, page.Entries.Select(e => e.RequestId));
        Assert.Equal(newest.AsEnumerable().Reverse(), activations.Select(a => a.RequestId));
        Assert.True(responses[0].ColdStart);
        Assert.All(activations, a => Assert.False(a.ColdStart));
    }
}
