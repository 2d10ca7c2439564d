using System.Diagnostics;
using Google.Protobuf;
using OrleansFaas.Api.V1;

namespace OrleansFaas.Cli.Bench;

/// <summary>
/// <c>faas bench throughput</c>: C callers in a closed loop on one warm trivial function for D seconds:
/// invocations per second, latency, errors, and the CPU the platform and the workers spent per invocation
/// (from /proc, so only meaningful when the platform runs on this machine).
/// </summary>
internal static class ThroughputScenario
{
    public static async Task<BenchReport> RunAsync(CliContext context, int concurrency, TimeSpan duration, CancellationToken ct)
    {
        await using var function = await BenchFunction.CreateAsync(context.Functions, "bench-tput");
        var invoker = context.Invoker;
        var request = new InvokeRequest { FunctionName = function.Name, Payload = ByteString.CopyFromUtf8("""{"bench":"throughput"}""") };

        // Warm one instance per caller first: the measurement is of warm invocations only.
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => invoker.InvokeAsync(request, cancellationToken: ct).ResponseAsync));
        var warmupEnd = Stopwatch.StartNew();
        while (warmupEnd.Elapsed < TimeSpan.FromSeconds(2))
        {
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => invoker.InvokeAsync(request, cancellationToken: ct).ResponseAsync));
        }

        var latencies = new List<double>[concurrency];
        var errors = 0;
        var cpuBefore = ProcessCpu.Snapshot();
        var clock = Stopwatch.StartNew();
        await BenchProgress.RunAsync(context, async progress =>
        {
            var step = progress.Add($"{concurrency} callers for {duration.TotalSeconds:0} s", duration.TotalMilliseconds);
            var ticker = Task.Run(async () =>
            {
                while (clock.Elapsed < duration)
                {
                    step.Set(clock.Elapsed.TotalMilliseconds);
                    await Task.Delay(200, ct);
                }
            }, ct);
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async c =>
            {
                var mine = latencies[c] = new List<double>(64 * 1024);
                while (clock.Elapsed < duration)
                {
                    var start = Stopwatch.GetTimestamp();
                    try
                    {
                        var response = await invoker.InvokeAsync(request, cancellationToken: ct);
                        if (response.Error is not null)
                        {
                            Interlocked.Increment(ref errors);
                        }
                    }
                    catch (Grpc.Core.RpcException)
                    {
                        Interlocked.Increment(ref errors);
                    }
                    mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
            }));
            await ticker;
        });
        var elapsed = clock.Elapsed.TotalSeconds;
        var cpuAfter = ProcessCpu.Snapshot();

        var all = new LatencyStats(latencies.SelectMany(l => l));
        var invocations = all.Count;
        var platformUs = (cpuAfter.Platform - cpuBefore.Platform) * 1e6 / Math.Max(1, invocations);
        var workerUs = (cpuAfter.Workers - cpuBefore.Workers) * 1e6 / Math.Max(1, invocations);
        return new BenchReport("throughput")
            .Add("concurrency", concurrency)
            .Add("duration_s", elapsed)
            .Add("invocations", invocations)
            .Add("errors", errors)
            .Add("rps", invocations / elapsed)
            .Add("p50_ms", all.P50).Add("p90_ms", all.P90).Add("p99_ms", all.P99).Add("max_ms", all.Max)
            .Add("cpu_us_per_invocation", platformUs + workerUs)
            .Add("platform_cpu_us_per_invocation", platformUs)
            .Add("worker_cpu_us_per_invocation", workerUs);
    }
}
