using System.Diagnostics;
using Google.Protobuf;
using OrleansFaas.Api.V1;

namespace OrleansFaas.Cli.Bench;

/// <summary>
/// <c>faas bench burst</c>: one fresh function hit by C callers at once, each holding its instance for a while
/// (the handler sleeps): how many instances start, how fast every caller gets its first result, and where.
/// </summary>
internal static class BurstScenario
{
    public static string HoldingHandler(int holdMs) =>
        $"import time\n\ndef handler(event, context):\n    time.sleep({holdMs / 1000.0:0.###})\n    return 'held'\n";

    public static async Task<BenchReport> RunAsync(CliContext context, int callers, int holdMs, CancellationToken ct)
    {
        await using var function = await BenchFunction.CreateAsync(context.Functions, "bench-burst", HoldingHandler(holdMs));
        var invoker = context.Invoker;
        var request = new InvokeRequest { FunctionName = function.Name, Payload = ByteString.CopyFromUtf8("{}") };
        // Open the HTTP/2 connection first, so the burst measures the platform, not the client's handshake.
        await context.Functions.GetFunctionAsync(new GetFunctionRequest { Name = function.Name }, cancellationToken: ct);

        var results = new (double Ms, InvokeResponse? Response, string? Error)[callers];
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = 0L;
        var tasks = Enumerable.Range(0, callers).Select(async i =>
        {
            await go.Task;
            try
            {
                var response = await invoker.InvokeAsync(request, cancellationToken: ct);
                results[i] = (Stopwatch.GetElapsedTime(start).TotalMilliseconds, response, response.Error?.ErrorType);
            }
            catch (Grpc.Core.RpcException e)
            {
                results[i] = (Stopwatch.GetElapsedTime(start).TotalMilliseconds, null, e.StatusCode.ToString());
            }
        }).ToList();
        await BenchProgress.RunAsync(context, async progress =>
        {
            var step = progress.Add($"{callers} concurrent callers, {holdMs} ms each", callers);
            start = Stopwatch.GetTimestamp();
            go.SetResult();
            foreach (var task in tasks)
            {
                await task;
                step.Increment(1);
            }
        });

        var served = results.Where(r => r.Error is null).ToList();
        var firstResults = new LatencyStats(served.Select(r => r.Ms));
        var perSilo = served.GroupBy(r => r.Response!.Silo).OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(r => r.Response!.InstanceId).Distinct().Count());
        return new BenchReport("burst")
            .Add("callers", callers)
            .Add("hold_ms", holdMs)
            .Add("served", served.Count)
            .Add("errors", callers - served.Count)
            .Add("instances", served.Select(r => r.Response!.InstanceId).Distinct().Count())
            .Add("all_served_ms", served.Count == 0 ? double.NaN : served.Max(r => r.Ms))
            .Add("first_result_p50_ms", firstResults.P50)
            .Add("first_result_p99_ms", firstResults.P99)
            .Add("instances_per_silo", perSilo)
            .Add("cold_start_sources", served.Where(r => r.Response!.ColdStart).GroupBy(r => r.Response!.ColdStartSource)
                .ToDictionary(g => g.Key, g => g.Count()));
    }
}
