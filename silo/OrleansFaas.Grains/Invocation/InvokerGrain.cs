using System.Diagnostics;
using Orleans.Concurrency;
using OrleansFaas.Abstractions.Grains;
using OrleansFaas.Abstractions.Model;
using OrleansFaas.Grains.Billing;
using OrleansFaas.Grains.Hosting;
using OrleansFaas.Grains.Logs;
using OrleansFaas.Grains.Workers;

namespace OrleansFaas.Grains.Invocation;

/// <summary>
/// The hot path of a synchronous invoke, on the silo that received it: write-ahead to the ledger (while the
/// pool is asked for a lease), run on a local worker, release the lease (one-way), complete the ledger entry
/// durably, answer.
/// </summary>
[StatelessWorker]
public sealed class InvokerGrain(
    WorkerHost host, ILocalSiloDetails silo, ClusterSettings cluster, BillingSettings billing, ActivationLogWriter logs,
    UsageRecorder usage)
    : Grain, IInvokerGrain
{
    /// <summary>How often a warm lease may name an instance that died meanwhile before we give up.</summary>
    private const int MaxLeaseAttempts = 3;

    public async Task<InvocationResult> Invoke(InvocationRequest request)
    {
        // The ledger entry is begun before any user code can run, so an invocation whose silo dies mid-call is
        // still billed (once); it is written while the pool is asked, so it costs no extra round trip.
        var ledger = new LedgerEntry(usage, request.FunctionName, UsageKey(request), billing.GranularityMs);
        var begun = ledger.BeginAsync();
        try
        {
            return await RunAsync(request, ledger, begun);
        }
        catch
        {
            if (!ledger.UserCodeRan)
            {
                await ledger.CancelAsync(begun);
            }
            throw;
        }
    }

    /// <summary>A request id, or for an async retry the request id and its attempt: each attempt is billed once.</summary>
    private static string UsageKey(InvocationRequest request) =>
        request.Attempt > 1 ? $"{request.RequestId}#{request.Attempt}" : request.RequestId;

    private async Task<InvocationResult> RunAsync(InvocationRequest request, LedgerEntry ledger, Task begun)
    {
        var pool = GrainFactory.GetGrain<IInstancePoolGrain>(request.FunctionName);
        for (var attempt = 1; ; attempt++)
        {
            var lease = await pool.Acquire(silo.SiloAddress);
            await ledger.ConfirmAsync(begun, lease.Definition.MemoryMb);
            var released = false;
            try
            {
                WorkerInstance instance;
                double initMs = 0;
                string initLogs = "";
                string source = "";
                if (lease.Cold)
                {
                    var started = Stopwatch.GetTimestamp();
                    var (coldInstance, load, origin) = await host.StartAsync(lease.InstanceId, lease.Definition, useStemCell: !request.BypassStemCells);
                    ledger.UserCodeRan = true; // the module was imported (or failed to): init is billed
                    initMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    initLogs = load.Logs;
                    source = origin;
                    if (!load.Ok)
                    {
                        return await CompleteAsync(request, lease, new WorkerOutcome(
                            [], WorkerHost.ToError(load.Error), load.Logs, 0, 0, false), initMs, source);
                    }
                    instance = coldInstance;
                }
                else if (host.TryTake(lease.InstanceId) is { } warm)
                {
                    instance = warm;
                }
                else if (attempt < MaxLeaseAttempts)
                {
                    continue; // the instance died since the pool last heard of it; released unhealthy below
                }
                else
                {
                    throw new FaasException(FaasErrorCode.Unavailable,
                        $"No usable instance of {request.FunctionName} on this silo after {attempt} attempts.");
                }

                ledger.UserCodeRan = true;
                var outcome = await host.InvokeAsync(instance, request, lease.Definition);
                // The instance goes back to the pool as soon as the worker answered, before the ledger write,
                // so a call arriving meanwhile can reuse it instead of starting another.
                pool.Release(lease.InstanceId, outcome.Healthy).Ignore();
                released = true;
                if (initLogs.Length > 0)
                {
                    outcome = outcome with { Logs = initLogs + outcome.Logs };
                }
                return await CompleteAsync(request, lease, outcome, initMs, source);
            }
            finally
            {
                if (!released)
                {
                    pool.Release(lease.InstanceId, healthy: false).Ignore();
                }
            }
        }
    }

    private async Task<InvocationResult> CompleteAsync(
        InvocationRequest request, InstanceLease lease, WorkerOutcome outcome, double initMs, string coldStartSource)
    {
        var billedMs = BillingRules.BilledMilliseconds(outcome.DurationMs, initMs, billing.GranularityMs);
        // Formats the log text and queues it with the activation record for the silo's background writer: no I/O here.
        var logResult = logs.Write(request.FunctionName, request.RequestId, lease.Definition.Version,
            DateTimeOffset.UtcNow - TimeSpan.FromMilliseconds(initMs + outcome.DurationMs), outcome.Logs, outcome.DurationMs,
            billedMs, lease.Definition.MemoryMb, outcome.MaxMemoryUsedMb, lease.Cold, initMs, outcome.Error,
            cluster.SiloName, lease.InstanceId, request.LogTail);
        await usage.RecordAsync(new UsageEntry(request.FunctionName, UsageKey(request), UsageStep.Complete, billedMs,
            lease.Definition.MemoryMb, BillingRules.Day(DateTimeOffset.UtcNow)));
        return new InvocationResult
        {
            RequestId = request.RequestId,
            Payload = outcome.Payload,
            Error = outcome.Error,
            Logs = outcome.Logs,
            DurationMs = outcome.DurationMs,
            BilledMs = billedMs,
            InitDurationMs = initMs,
            ColdStart = lease.Cold,
            Silo = cluster.SiloName,
            InstanceId = lease.InstanceId,
            MaxMemoryUsedMb = outcome.MaxMemoryUsedMb,
            ExecutedVersion = lease.Definition.Version,
            ColdStartSource = coldStartSource,
            LogResult = logResult,
        };
    }
}
