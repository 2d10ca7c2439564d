using Microsoft.Extensions.Logging;
using OrleansFaas.Abstractions.Grains;
using OrleansFaas.Abstractions.Model;
using OrleansFaas.Grains.Hosting;

namespace OrleansFaas.Grains.Pool;

/// <summary>
/// One function's warm instances across the cluster (see <see cref="IInstancePoolGrain"/> for the contract),
/// and the authority on its concurrency: every instance holds a slot from the account
/// (<see cref="IConcurrencyAccountGrain"/>), taken on a cold start and returned when the instance goes.
/// Not reentrant: every method is a short step (in memory, or one call to the account).
/// State is in memory only: instances are processes that die with their silo; after a reactivation the pool
/// learns them back from the silos' sweeps.
/// </summary>
public sealed class InstancePoolGrain(PoolSettings settings, ILogger<InstancePoolGrain> logger) : Grain, IInstancePoolGrain
{
    private readonly Dictionary<string, PooledInstance> _instances = new(StringComparer.Ordinal);
    private FunctionDefinition? _definition;
    private IGrainTimer? _provisioningTimer;

    private string Name => this.GetPrimaryKeyString();
    private IConcurrencyAccountGrain Account => GrainFactory.GetGrain<IConcurrencyAccountGrain>(FunctionCatalog.DefaultAccount);

    public async Task<InstanceLease> Acquire(SiloAddress silo)
    {
        var definition = _definition ??= await LoadDefinitionAsync() ?? throw FaasException.FunctionNotFound(Name);
        if (definition.ReservedConcurrency == 0)
        {
            throw new SlotGrant(false, ThrottleReasons.ReservedFunction, 0).ToException(Name);
        }

        var (decision, instance) = PoolScheduler.Acquire(_instances.Values, silo, definition.RevisionId);
        if (decision == AcquireDecision.ReuseIdle)
        {
            instance!.Busy = true;
            return new InstanceLease(instance.Id, Cold: false, definition);
        }
        var grant = await Account.TryAcquire(Name);
        if (!grant.Granted)
        {
            throw grant.ToException(Name);
        }
        var started = new PooledInstance(Guid.NewGuid().ToString("N"), silo, definition.RevisionId) { Busy = true };
        _instances[started.Id] = started;
        return new InstanceLease(started.Id, Cold: true, definition);
    }

    public Task Release(string instanceId, bool healthy)
    {
        if (_instances.TryGetValue(instanceId, out var instance))
        {
            if (healthy && instance.RevisionId == _definition?.RevisionId)
            {
                instance.Busy = false;
                instance.LastUsedTicks = Environment.TickCount64;
            }
            else
            {
                Forget(instanceId);
            }
        }
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<string>> Sweep(SiloAddress silo, IReadOnlyList<InstanceReport> reports)
    {
        _definition ??= await LoadDefinitionAsync();
        var current = _definition?.RevisionId;
        var retire = new List<string>();
        var reported = new HashSet<string>(StringComparer.Ordinal);
        var adopted = 0;
        foreach (var report in reports)
        {
            reported.Add(report.InstanceId);
            if (!_instances.TryGetValue(report.InstanceId, out var known))
            {
                if (report.RevisionId == current && (report.Busy || report.IdleFor < settings.KeepAlive))
                {
                    // Adopt: this pool was reactivated (or never heard of it) but the instance is usable.
                    _instances[report.InstanceId] = new PooledInstance(report.InstanceId, silo, report.RevisionId)
                    {
                        Busy = report.Busy,
                        LastUsedTicks = Environment.TickCount64 - (long)report.IdleFor.TotalMilliseconds,
                    };
                    adopted++;
                }
                else if (!report.Busy)
                {
                    retire.Add(report.InstanceId);
                }
                continue;
            }
            if (!report.Busy && PoolScheduler.ShouldRetire(known, current, report.IdleFor, settings.KeepAlive))
            {
                Forget(report.InstanceId);
                retire.Add(report.InstanceId);
            }
        }
        if (adopted > 0)
        {
            Account.Adopt(Name, adopted).Ignore();
        }
        // Idle instances the silo no longer has (their process died) are forgotten.
        foreach (var gone in _instances.Values.Where(i => !i.Busy && i.Silo.Equals(silo) && !reported.Contains(i.Id)).ToList())
        {
            Forget(gone.Id);
        }
        return retire;
    }

    public Task<bool> TryRetire(string instanceId)
    {
        if (!_instances.TryGetValue(instanceId, out var instance))
        {
            return Task.FromResult(true);
        }
        if (instance.Busy)
        {
            return Task.FromResult(false);
        }
        Forget(instanceId);
        return Task.FromResult(true);
    }

    public async Task Invalidate(FunctionDefinition? definition)
    {
        _definition = definition;
        foreach (var idle in _instances.Values.Where(i => !i.Busy && i.RevisionId != definition?.RevisionId).ToList())
        {
            Forget(idle.Id); // its silo stops it at the next sweep (unknown and stale)
        }
        await EnsureProvisionedAsync();
    }

    public Task<PoolSnapshot> GetSnapshot() =>
        Task.FromResult(new PoolSnapshot(_instances.Values
            .Select(i => new InstanceView(i.Id, i.Silo.ToString(), i.Busy, i.RevisionId))
            .ToList()));

    /// <summary>Removes an instance and gives its slot back to the account.</summary>
    private void Forget(string instanceId)
    {
        if (_instances.Remove(instanceId))
        {
            Account.Release(Name, 1).Ignore();
        }
    }

    private async Task<FunctionDefinition?> LoadDefinitionAsync()
    {
        var definition = await GrainFactory.GetGrain<IFunctionGrain>(Name).Get();
        if (definition?.ProvisionedConcurrency > 0)
        {
            StartProvisioningTimer();
        }
        return definition;
    }

    /// <summary>
    /// Keeps the provisioned instances there: starts the missing ones on the least loaded active silos (each
    /// through that silo's agent), now and every sweep interval, so a crashed one is replaced.
    /// </summary>
    private async Task EnsureProvisionedAsync()
    {
        if (_definition is not { ProvisionedConcurrency: > 0 } definition)
        {
            _provisioningTimer?.Dispose();
            _provisioningTimer = null;
            return;
        }
        StartProvisioningTimer();
        var hosts = await GrainFactory.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        var plan = PoolScheduler.PlanProvisioned(_instances.Values, definition.RevisionId, definition.ProvisionedConcurrency, hosts.Keys.ToList());
        foreach (var silo in plan)
        {
            var grant = await Account.TryAcquire(Name);
            if (!grant.Granted)
            {
                logger.LogWarning("Provisioned instance of {Function} not started: {Reason}", Name, grant.Reason);
                break;
            }
            var instance = new PooledInstance(Guid.NewGuid().ToString("N"), silo, definition.RevisionId) { Busy = true, Provisioned = true };
            _instances[instance.Id] = instance;
            _ = PrewarmAsync(instance, definition);
        }
    }

    private async Task PrewarmAsync(PooledInstance instance, FunctionDefinition definition)
    {
        var ok = false;
        try
        {
            ok = await GrainFactory.GetGrain<ISiloAgentGrain>(instance.Silo.ToParsableString()).Prewarm(instance.Id, definition);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Starting a provisioned instance of {Function} on {Silo} failed", Name, instance.Silo);
        }
        await Release(instance.Id, ok);
    }

    private void StartProvisioningTimer() =>
        _provisioningTimer ??= this.RegisterGrainTimer(
            _ => EnsureProvisionedAsync(),
            new GrainTimerCreationOptions { DueTime = settings.SweepInterval, Period = settings.SweepInterval, KeepAlive = true });

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // The silos' sweeps adopt the instances back (and the account counts them again then).
        if (_instances.Count > 0)
        {
            Account.Release(Name, _instances.Count).Ignore();
        }
        return Task.CompletedTask;
    }
}
