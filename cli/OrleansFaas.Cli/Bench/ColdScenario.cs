using System.Diagnostics;
using Google.Protobuf;
using OrleansFaas.Api.V1;

namespace OrleansFaas.Cli.Bench;

/// <summary>
/// <c>faas bench cold</c>: K cold starts, one at a time with a pause between them so that every cold start
/// finds the silo at rest (its stem cells refilled). Each is the first invocation of a fresh version of one
/// function (an update changes its revision, so no instance of it is warm), which isolates the instance's
/// cold start from the one-time activation of a brand-new function's grains. Client-observed latency and the
/// platform's init duration; with <c>--no-stem-cells</c> the cold starts fork (or spawn) instead.
/// </summary>
internal static class ColdScenario
{
    public static async Task<BenchReport> RunAsync(CliContext context, int count, bool noStemCells, TimeSpan pause, CancellationToken ct)
    {
        await using var function = await BenchFunction.CreateAsync(context.Functions, "bench-cold");
        var latencies = new List<double>();
        var inits = new List<double>();
        var sources = new Dictionary<string, int>(StringComparer.Ordinal);
        await BenchProgress.RunAsync(context, async progress =>
        {
            var invoke = progress.Add($"{count} cold starts", count);
            for (var i = 0; i < count; i++)
            {
                // A new version: every warm instance of the function is now stale.
                var update = new UpdateFunctionRequest { Name = function.Name, ReplaceEnvironment = true };
                update.Environment["BENCH_VERSION"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await context.Functions.UpdateFunctionAsync(update, cancellationToken: ct);
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
                    throw new InvalidOperationException($"version {i} of {function.Name} was not a cold start");
                }
                inits.Add(response.InitDurationMs);
                sources[response.ColdStartSource] = sources.GetValueOrDefault(response.ColdStartSource) + 1;
                invoke.Increment(1);
            }
        });
        var client = new LatencyStats(latencies);
        var init = new LatencyStats(inits);
        return new BenchReport(noStemCells ? "cold --no-stem-cells" : "cold")
            .Add("count", count)
            .Add("p50_ms", client.P50).Add("p99_ms", client.P99).Add("max_ms", client.Max)
            .Add("init_p50_ms", init.P50).Add("init_p99_ms", init.P99)
            .Add("sources", sources);
    }
}
