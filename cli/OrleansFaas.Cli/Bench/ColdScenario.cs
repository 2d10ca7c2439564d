using System.Diagnostics;
using Google.Protobuf;
using OrleansFaas.Api.V1;

namespace OrleansFaas.Cli.Bench;

/// <summary>
/// <c>faas bench cold</c>: K fresh functions, each invoked once, one at a time with a pause between them so
/// that every cold start finds the silo at rest (its stem cells refilled). Client-observed latency and the
/// platform's init duration; with <c>--no-stem-cells</c> the cold starts fork (or spawn) instead.
/// </summary>
internal static class ColdScenario
{
    public static async Task<BenchReport> RunAsync(CliContext context, int count, bool noStemCells, TimeSpan pause, CancellationToken ct)
    {
        var functions = new List<BenchFunction>();
        var latencies = new List<double>();
        var inits = new List<double>();
        var sources = new Dictionary<string, int>(StringComparer.Ordinal);
        try
        {
            await BenchProgress.RunAsync(context, async progress =>
            {
                var deploy = progress.Add($"deploying {count} functions", count);
                for (var i = 0; i < count; i++)
                {
                    functions.Add(await BenchFunction.CreateAsync(context.Functions, "bench-cold"));
                    deploy.Increment(1);
                }
                var invoke = progress.Add($"{count} cold starts", count);
                foreach (var function in functions)
                {
                    await Task.Delay(pause, ct);
                    var start = Stopwatch.GetTimestamp();
                    var response = await context.Invoker.InvokeAsync(new InvokeRequest
                    {
                        FunctionName = function.Name,
                        Payload = ByteString.CopyFromUtf8("{}"),
                        BypassStemCells = noStemCells,
                    }, cancellationToken: ct);
                    latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    if (response.Error is { } error)
                    {
                        throw new InvalidOperationException($"cold invoke failed: {error.ErrorType}: {error.ErrorMessage}");
                    }
                    if (!response.ColdStart)
                    {
                        throw new InvalidOperationException($"{function.Name}'s first invocation was not a cold start");
                    }
                    inits.Add(response.InitDurationMs);
                    sources[response.ColdStartSource] = sources.GetValueOrDefault(response.ColdStartSource) + 1;
                    invoke.Increment(1);
                }
            });
        }
        finally
        {
            foreach (var function in functions)
            {
                await function.DisposeAsync();
            }
        }
        var client = new LatencyStats(latencies);
        var init = new LatencyStats(inits);
        return new BenchReport(noStemCells ? "cold --no-stem-cells" : "cold")
            .Add("count", count)
            .Add("p50_ms", client.P50).Add("p99_ms", client.P99).Add("max_ms", client.Max)
            .Add("init_p50_ms", init.P50).Add("init_p99_ms", init.P99)
            .Add("sources", sources);
    }
}
