using System.Collections.Concurrent;
using System.Text.Json;
using Grpc.Core;
using OrleansFaas.Api.V1;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace OrleansFaas.Tests.EndToEnd;

/// <summary>
/// The billing ledger is exact: 2,000 invocations at concurrency 32 on a two-silo cluster are each billed
/// once; and with one silo SIGKILLed halfway, every invocation whose handler ran is billed once, none twice.
/// Handler executions are counted independently: the handler appends its request id to a file.
/// </summary>
public class LedgerExactnessTests(ITestOutputHelper output)
{
    private const int Invocations = 2000;
    private const int Concurrency = 32;

    private sealed record Run(string Function, string ExecutionLog, ConcurrentBag<InvokeResponse> Responses, ConcurrentBag<string> Failures);

    private static async Task<Run> InvokeManyAsync(Platform platform, string function, Func<int, Task>? onProgress = null)
    {
        var log = Path.Combine(platform.WorkDir, function + ".executions");
        var payload = Google.Protobuf.ByteString.CopyFromUtf8(JsonSerializer.Serialize(new { log }));
        var run = new Run(function, log, [], []);
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) <= Invocations)
            {
                try
                {
                    var response = await platform.Invoker.InvokeAsync(new InvokeRequest { FunctionName = function, Payload = payload },
                        deadline: DateTime.UtcNow.AddSeconds(60));
                    run.Responses.Add(response);
                }
                catch (RpcException e)
                {
                    run.Failures.Add(e.StatusCode + ": " + e.Status.Detail[..Math.Min(60, e.Status.Detail.Length)]);
                }
                if (onProgress is not null)
                {
                    await onProgress(i);
                }
            }
        }));
        return run;
    }

    private static List<string> Executions(Run run) =>
        File.Exists(run.ExecutionLog) ? File.ReadAllLines(run.ExecutionLog).Where(l => l.Length > 0).ToList() : [];

    /// <summary>The request keys the Redis ledger holds for a function (the dedup markers), with their step.</summary>
    private static async Task<Dictionary<string, string>> LedgerKeysAsync(Platform platform, string function)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(platform.RedisConnectionString!);
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var key in server.KeysAsync(pattern: $"faas:ledger:{{{function}}}:steps:*"))
        {
            foreach (var entry in await redis.GetDatabase().HashGetAllAsync(key))
            {
                keys[(string)entry.Name!] = (string)entry.Value!;
            }
        }
        return keys;
    }

    private async Task<string> DeployAsync(Platform platform)
    {
        var name = "ledger-" + Guid.NewGuid().ToString("N")[..8];
        await platform.DeployAsync(name, RepoPaths.TestFunction("ledger"), "ledger.handler", timeoutSeconds: 30);
        return name;
    }

    [Fact]
    public async Task EveryInvocationIsBilledExactlyOnceAndBilledTimeMatchesTheRecords()
    {
        await using var platform = await Platform.StartClusterAsync(silos: 2);
        var function = await DeployAsync(platform);

        var run = await InvokeManyAsync(platform, function);
        var billing = await platform.Functions.GetBillingAsync(new GetBillingRequest { Name = function });
        var executions = Executions(run);

        output.WriteLine($"invocations {Invocations}, answered {run.Responses.Count}, handler executions {executions.Count}, ledger {billing.Invocations}");
        Assert.Empty(run.Failures);
        Assert.Equal(Invocations, run.Responses.Count);
        Assert.Equal(Invocations, executions.Count);
        Assert.Equal(Invocations, executions.Distinct().Count());
        Assert.Equal(Invocations, billing.Invocations);
        Assert.Equal(run.Responses.Sum(r => r.BilledMs), billing.BilledMs);
        Assert.Equal(["silo1", "silo2"], run.Responses.Select(r => r.Silo).Distinct().Order());
    }

    [Fact]
    public async Task WithASiloKilledHalfwayEveryExecutedInvocationIsBilledOnceAndNoneTwice()
    {
        await using var platform = await Platform.StartClusterAsync(silos: 2);
        var function = await DeployAsync(platform);
        var killed = 0;

        var run = await InvokeManyAsync(platform, function, async i =>
        {
            if (i == Invocations / 2 && Interlocked.Exchange(ref killed, 1) == 0)
            {
                platform.Silos[1].Kill(); // SIGKILL, mid-load
            }
            await Task.CompletedTask;
        });
        var ledger = await LedgerKeysAsync(platform, function);
        var billing = await platform.Functions.GetBillingAsync(new GetBillingRequest { Name = function });
        var executions = Executions(run);
        var executed = executions.ToHashSet(StringComparer.Ordinal);
        var unbilled = executed.Where(id => !ledger.ContainsKey(id)).ToList();
        var billedNotRun = ledger.Keys.Where(k => !executed.Contains(k)).ToList();

        output.WriteLine($"invocations {Invocations}, answered {run.Responses.Count}, failed {run.Failures.Count} ({string.Join("; ", run.Failures.GroupBy(f => f).Select(g => $"{g.Count()}x {g.Key}"))}), " +
            $"handler executions {executions.Count} ({executed.Count} distinct), ledger {billing.Invocations}, executed but unbilled {unbilled.Count}, " +
            $"billed but never ran {billedNotRun.Count}, duplicates in executions {executions.Count - executed.Count}");
        Assert.Equal(1, killed);
        Assert.Equal(executions.Count, executed.Count);                      // no request ran twice
        Assert.Empty(unbilled);                                              // every execution is billed
        Assert.Equal(ledger.Count, billing.Invocations);                     // one ledger entry per request id, none twice
        Assert.All(run.Responses, r => Assert.True(ledger.ContainsKey(r.RequestId)));
        // Entries begun on the killed silo whose handler had not started yet are billed the minimum (1 ms):
        // they are at most the invocations that were in flight there.
        Assert.InRange(billedNotRun.Count, 0, Concurrency);
        Assert.All(billedNotRun, k => Assert.StartsWith("B:", ledger[k]));
    }
}
