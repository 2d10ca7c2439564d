using OrleansFaas.Abstractions.Grains;
using OrleansFaas.Abstractions.Model;
using OrleansFaas.Grains.Hosting;

namespace OrleansFaas.Grains.Pool;

/// <summary>
/// One function's warm instances across the cluster (see <see cref="IInstancePoolGrain"/> for the contract).
/// Not reentrant: every method is a short in-memory step, so calls run one at a time and never await a worker.
/// State is in memory only: instances are processes that die with their silo; after a reactivation the pool
/// learns them back from the silos' sweeps.
/// </summary>
public sealed class InstancePoolGrain(PoolSettings settings) : Grain, IInstancePoolGrain
{
    private readonly Dictionary<string, PooledInstance> _instances = new(StringComparer.Ordinal);
    private FunctionDefinition? _definition;

    private string Name => this.GetPrimaryKeyString();

    public async Task<InstanceLease> Acquire(SiloAddress silo)
    {
        var definition = _definition ??= await GrainFactory.GetGrain<IFunctionGrain>(Name).Get()
            ?? throw FaasException.FunctionNotFound(Name);

        var (decision, instance) = PoolScheduler.Acquire(_instances.Values, silo, definition.RevisionId);
        if (decision == AcquireDecision.ReuseIdle)
        {
            instance!.Busy = true;
            return new InstanceLease(instance.Id, Cold: false, definition);
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
                _instances.Remove(instanceId);
            }
        }
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<string>> Sweep(SiloAddress silo, IReadOnlyList<InstanceReport> reports)
    {
        _definition ??= await GrainFactory.GetGrain<IFunctionGrain>(Name).Get();
        var current = _definition?.RevisionId;
        var retire = new List<string>();
        var reported = new HashSet<string>(StringComparer.Ordinal);
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
                }
                else if (!report.Busy)
                {
                    retire.Add(report.InstanceId);
                }
                continue;
            }
            if (!report.Busy && PoolScheduler.ShouldRetire(known, current, report.IdleFor, settings.KeepAlive))
            {
                _instances.Remove(report.InstanceId);
                retire.Add(report.InstanceId);
            }
        }
        // Idle instances the silo no longer has (their process died) are forgotten.
        foreach (var gone in _instances.Values.Where(i => !i.Busy && i.Silo.Equals(silo) && !reported.Contains(i.Id)).ToList())
        {
            _instances.Remove(gone.Id);
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
        _instances.Remove(instanceId);
        return Task.FromResult(true);
    }

    public Task Invalidate(FunctionDefinition? definition)
    {
        _definition = definition;
        foreach (var idle in _instances.Values.Where(i => !i.Busy && i.RevisionId != definition?.RevisionId).ToList())
        {
            _instances.Remove(idle.Id); // its silo stops it at the next sweep (unknown and stale)
        }
        return Task.CompletedTask;
    }

    public Task<PoolSnapshot> GetSnapshot() =>
        Task.FromResult(new PoolSnapshot(_instances.Values
            .Select(i => new InstanceView(i.Id, i.Silo.ToString(), i.Busy, i.RevisionId))
            .ToList()));
}
