using System.Diagnostics;
using Orleans.Concurrency;
using OrleansFaas.Abstractions.Grains;
using OrleansFaas.Abstractions.Model;
using OrleansFaas.Grains.Billing;
using OrleansFaas.Grains.Hosting;
using OrleansFaas.Grains.Workers;

namespace OrleansFaas.Grains.Invocation;

/// <summary>
/// The hot path of a synchronous invoke, on the silo that received it: lease from the pool, run on a local
/// worker, release the lease (one-way), record usage durably, answer.
/// </summary>
[StatelessWorker]
public sealed class InvokerGrain(WorkerHost host, ILocalSiloDetails silo, ClusterSettings cluster, BillingSettings billing)
    : Grain, IInvokerGrain
{
    /// <summary>How often a warm lease may name an instance that died meanwhile before we give up.</summary>
    private const int MaxLeaseAttempts = 3;

    public async Task<InvocationResult> Invoke(InvocationRequest request)
    {
        var pool = GrainFactory.GetGrain<IInstancePoolGrain>(request.FunctionName);
        for (var attempt = 1; ; attempt++)
        {
            var lease = await pool.Acquire(silo.SiloAddress);
            var healthy = false;
            try
            {
                WorkerInstance instance;
                double initMs = 0;
                string initLogs = "";
                string source = "";
                if (lease.Cold)
                {
                    var started = Stopwatch.GetTimestamp();
                    var (coldInstance, load, origin) = await host.StartAsync(lease.InstanceId, lease.Definition);
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

                var outcome = await host.InvokeAsync(instance, request, lease.Definition);
                healthy = outcome.Healthy;
                if (initLogs.Length > 0)
                {
                    outcome = outcome with { Logs = initLogs + outcome.Logs };
                }
                return await CompleteAsync(request, lease, outcome, initMs, source);
            }
            finally
            {
                pool.Release(lease.InstanceId, healthy).Ignore();
            }
        }
    }

    private async Task<InvocationResult> CompleteAsync(
        InvocationRequest request, InstanceLease lease, WorkerOutcome outcome, double initMs, string coldStartSource)
    {
        var billedMs = BillingRules.BilledMilliseconds(outcome.DurationMs, initMs, billing.GranularityMs);
        await GrainFactory.GetGrain<IBillingLedgerGrain>(request.FunctionName)
            .Record(new UsageRecord(request.RequestId, billedMs, lease.Definition.MemoryMb, DateTimeOffset.UtcNow));
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
        };
    }
}
