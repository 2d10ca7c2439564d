using System.CommandLine;
using OrleansFaas.Cli.Bench;

namespace OrleansFaas.Cli.Commands;

/// <summary>
/// <c>faas bench SCENARIO</c>: load tests against a running platform. Each scenario creates its own
/// functions and deletes them afterwards; results are a table, or one JSON object with <c>--output json</c>.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Measure the platform: latency, cold starts, bursts, throughput");
        bench.Subcommands.Add(Warm());
        bench.Subcommands.Add(Cold());
        bench.Subcommands.Add(Burst());
        bench.Subcommands.Add(Throughput());
        return bench;
    }

    private static Command Cold()
    {
        var count = new Option<int>("--count", "-n") { Description = "Fresh functions, each invoked once", DefaultValueFactory = _ => 20 };
        var noStemCells = new Option<bool>("--no-stem-cells") { Description = "Cold starts fork (or spawn) their worker instead of taking a stem cell" };
        var pause = new Option<int>("--pause-ms") { Description = "Pause before each cold start, so the silo is at rest (stem cells refilled)", DefaultValueFactory = _ => 300 };
        var command = new Command("cold", "Cold starts: K fresh functions each invoked once") { count, noStemCells, pause };
        command.SetHandler(async (parseResult, context, ct) =>
        {
            var report = await ColdScenario.RunAsync(context, Math.Max(1, parseResult.GetValue(count)), parseResult.GetValue(noStemCells),
                TimeSpan.FromMilliseconds(Math.Max(0, parseResult.GetValue(pause))), ct);
            report.Write(context);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Burst()
    {
        var callers = new Option<int>("--callers", "-c") { Description = "Concurrent callers hitting one fresh function at once", DefaultValueFactory = _ => 100 };
        var hold = new Option<int>("--hold-ms") { Description = "How long each invocation holds its instance (the handler sleeps)", DefaultValueFactory = _ => 200 };
        var command = new Command("burst", "A burst of concurrent callers on one fresh function") { callers, hold };
        command.SetHandler(async (parseResult, context, ct) =>
        {
            var report = await BurstScenario.RunAsync(context, Math.Max(1, parseResult.GetValue(callers)), Math.Max(0, parseResult.GetValue(hold)), ct);
            report.Write(context);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Throughput()
    {
        var concurrency = new Option<int>("--concurrency", "-c") { Description = "Callers in a closed loop", DefaultValueFactory = _ => 8 };
        var duration = new Option<double>("--duration") { Description = "Seconds to measure", DefaultValueFactory = _ => 10.0 };
        var command = new Command("throughput", "Invocations per second on a warm function, and CPU per invocation") { concurrency, duration };
        command.SetHandler(async (parseResult, context, ct) =>
        {
            var report = await ThroughputScenario.RunAsync(context, Math.Max(1, parseResult.GetValue(concurrency)),
                TimeSpan.FromSeconds(Math.Max(1, parseResult.GetValue(duration))), ct);
            report.Write(context);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Warm()
    {
        var count = new Option<int>("--count", "-n") { Description = "Sequential invocations to measure (each way)", DefaultValueFactory = _ => 1000 };
        var warmup = new Option<double>("--warmup") { Description = "Seconds of warm-up before measuring (the .NET client's p99 needs >= 3 s to settle)", DefaultValueFactory = _ => 3.0 };
        var dataDir = new Option<string[]>("--data-dir") { Description = "Data folder(s) of the silos on this machine, to find the worker's socket; repeat for a cluster [default: $FAAS_DATA_DIR, else the dev-mode default]", HelpName = "DIR" };
        var command = new Command("warm", "Sequential warm invocations through the gateway vs direct calls to the same worker") { count, warmup, dataDir };
        command.SetHandler(async (parseResult, context, ct) =>
        {
            var report = await WarmScenario.RunAsync(context, Math.Max(1, parseResult.GetValue(count)),
                TimeSpan.FromSeconds(Math.Max(0, parseResult.GetValue(warmup))),
                parseResult.GetValue(dataDir) is { Length: > 0 } dirs ? dirs : [DirectWorker.ResolveDataDir(null)], ct);
            report.Write(context);
            return ExitCodes.Success;
        });
        return command;
    }
}
