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
        return bench;
    }

    private static Command Warm()
    {
        var count = new Option<int>("--count", "-n") { Description = "Sequential invocations to measure (each way)", DefaultValueFactory = _ => 1000 };
        var warmup = new Option<double>("--warmup") { Description = "Seconds of warm-up before measuring (the .NET client's p99 needs >= 3 s to settle)", DefaultValueFactory = _ => 3.0 };
        var dataDir = new Option<string?>("--data-dir") { Description = "Data folder of the silo on this machine that serves the function [default: $FAAS_DATA_DIR, else the dev-mode default]", HelpName = "DIR" };
        var command = new Command("warm", "Sequential warm invocations through the gateway vs direct calls to the same worker") { count, warmup, dataDir };
        command.SetHandler(async (parseResult, context, ct) =>
        {
            var report = await WarmScenario.RunAsync(context, Math.Max(1, parseResult.GetValue(count)),
                TimeSpan.FromSeconds(Math.Max(0, parseResult.GetValue(warmup))), DirectWorker.ResolveDataDir(parseResult.GetValue(dataDir)), ct);
            report.Write(context);
            return ExitCodes.Success;
        });
        return command;
    }
}
