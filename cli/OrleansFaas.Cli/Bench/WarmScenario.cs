using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using OrleansFaas.Api.V1;
using Spectre.Console;
using WorkerApi = OrleansFaas.Worker.V1;

namespace OrleansFaas.Cli.Bench;

/// <summary>
/// <c>faas bench warm</c>: N sequential invocations of a trivial handler through the gateway after a
/// warm-up, and in the same run N direct calls to the very worker that served them, over its socket
/// (unary Invoke, and the long-lived InvokeStream when the worker has it): the overhead of the platform
/// is p50 minus the floor's p50.
/// </summary>
internal static class WarmScenario
{
    private static readonly ByteString Event = ByteString.CopyFromUtf8("""{"bench":"warm"}""");

    public static async Task<BenchReport> RunAsync(CliContext context, int count, TimeSpan warmup, IReadOnlyList<string> dataDirs, CancellationToken ct)
    {
        await using var function = await BenchFunction.CreateAsync(context.Functions, "bench-warm");
        var invoker = context.Invoker;
        var request = new InvokeRequest { FunctionName = function.Name, Payload = Event };

        InvokeResponse? last = null;
        var gateway = new double[count];
        await BenchProgress.RunAsync(context, async progress =>
        {
            var warm = progress.Add("warm-up through the gateway", warmup.TotalMilliseconds);
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed < warmup)
            {
                last = await invoker.InvokeAsync(request, cancellationToken: ct);
                EnsureOk(last);
                warm.Set(sw.Elapsed.TotalMilliseconds);
            }
            warm.Set(warmup.TotalMilliseconds);
            var measure = progress.Add($"{count} sequential invokes", count);
            for (var i = 0; i < count; i++)
            {
                var start = Stopwatch.GetTimestamp();
                last = await invoker.InvokeAsync(request, cancellationToken: ct);
                gateway[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                EnsureOk(last);
                measure.Increment(1);
            }
        });

        var socket = dataDirs.Select(d => DirectWorker.SocketOf(d, last!.InstanceId)).FirstOrDefault(File.Exists)
            ?? throw new CliUsageException(
                $"the socket of instance {last!.InstanceId} is in none of {string.Join(", ", dataDirs)}: pass the data folder of silo '{last.Silo}' with --data-dir");
        using var worker = new DirectWorker(socket);
        var unary = new double[count];
        var stream = new double[count];
        var streamSupported = true;
        await BenchProgress.RunAsync(context, async progress =>
        {
            var direct = progress.Add($"{count} direct unary calls to the worker", count);
            await Measure(unary, warmup / 3, i => worker.Client.InvokeAsync(DirectRequest(i)).ResponseAsync, direct.Increment);
            var streamed = progress.Add($"{count} direct calls on one stream", count);
            using var call = worker.Client.InvokeStream(cancellationToken: ct);
            try
            {
                await Measure(stream, warmup / 3, async i =>
                {
                    await call.RequestStream.WriteAsync(DirectRequest(i), ct);
                    if (!await call.ResponseStream.MoveNext(ct))
                    {
                        throw new InvalidOperationException("the worker closed the stream");
                    }
                    return call.ResponseStream.Current;
                }, streamed.Increment);
                await call.RequestStream.CompleteAsync();
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
            {
                streamSupported = false;
            }
        });

        var health = await worker.Client.HealthAsync(new WorkerApi.HealthRequest(), cancellationToken: ct);
        var g = new LatencyStats(gateway);
        var f = new LatencyStats(unary);
        var report = new BenchReport("warm")
            .Add("function", function.Name)
            .Add("count", count)
            .Add("silo", last!.Silo)
            .Add("p50_ms", g.P50).Add("p90_ms", g.P90).Add("p99_ms", g.P99).Add("max_ms", g.Max)
            .Add("floor_p50_ms", f.P50).Add("floor_p99_ms", f.P99)
            .Add("overhead_p50_ms", g.P50 - f.P50)
            .Add("idle_instance_pss_kb", ProcessCpu.ProportionalSetKb(health.Pid))
            .Add("idle_instance_rss_kb", ProcessCpu.ResidentKb(health.Pid));
        if (streamSupported)
        {
            var s = new LatencyStats(stream);
            report.Add("floor_stream_p50_ms", s.P50).Add("floor_stream_p99_ms", s.P99);
        }
        return report;

        WorkerApi.InvokeRequest DirectRequest(int i) => new()
        {
            RequestId = "bench-" + i,
            Event = Event,
            DeadlineUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 30_000,
        };
    }

    private static async Task Measure(double[] into, TimeSpan warmup, Func<int, Task<WorkerApi.InvokeReply>> call, Action<double> progress)
    {
        var sw = Stopwatch.StartNew();
        for (var i = 0; sw.Elapsed < warmup; i++)
        {
            await call(i);
        }
        for (var i = 0; i < into.Length; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var reply = await call(i);
            into[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (reply.Status != WorkerApi.InvokeStatus.Ok)
            {
                throw new InvalidOperationException($"direct call failed: {reply.Status} {reply.Error?.ErrorMessage}");
            }
            progress(1);
        }
    }

    private static void EnsureOk(InvokeResponse response)
    {
        if (response.Error is { } error)
        {
            throw new InvalidOperationException($"the bench function failed: {error.ErrorType}: {error.ErrorMessage}");
        }
    }
}
