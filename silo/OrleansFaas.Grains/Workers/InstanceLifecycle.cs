namespace OrleansFaas.Grains.Workers;

// The instance lifecycle, the one state machine of a warm instance on this silo.
//
// Pool <-> instance contract (the pool grain is the authority; this silo owns the processes):
//  1. An instance exists on a silo only because the pool handed out a cold lease for it; the silo starts it
//     (Spawning -> Ready -> Loading) and runs the lease's invocation on it (-> Busy).
//  2. A warm lease names an instance the pool believes idle on this silo; the silo takes it Idle -> Busy.
//     If the silo no longer has it (it died), the lease is released unhealthy and a new one is asked for.
//  3. After each invocation the instance goes Busy -> Idle, or to Failed (crashed, timed out, failed to load),
//     and the pool is told which (Release). A failed instance is stopped at once.
//  4. Stopping is the silo's decision only when the pool says so (sweep: keep-alive, stale revision, unknown)
//     or when the silo itself shuts down. Stopping kills the process group: Stopping -> Gone.

/// <summary>The states of a worker instance.</summary>
public enum InstanceState
{
    /// <summary>The process is starting; no socket yet.</summary>
    Spawning,
    /// <summary>The process serves its socket; no function loaded (a stem cell).</summary>
    Ready,
    /// <summary>The function's module is being imported.</summary>
    Loading,
    Idle,
    Busy,
    Stopping,
    Gone,
    /// <summary>Unusable: crashed, timed out or failed to load; it is being stopped.</summary>
    Failed,
}

/// <summary>One warm instance of a function on this silo: its process, its client and its state.</summary>
public sealed class WorkerInstance(string instanceId, string functionName, string revisionId, int memoryMb)
{
    private static readonly Dictionary<InstanceState, InstanceState[]> Transitions = new()
    {
        [InstanceState.Spawning] = [InstanceState.Ready, InstanceState.Failed, InstanceState.Stopping],
        [InstanceState.Ready] = [InstanceState.Loading, InstanceState.Failed, InstanceState.Stopping],
        [InstanceState.Loading] = [InstanceState.Busy, InstanceState.Failed, InstanceState.Stopping],
        [InstanceState.Idle] = [InstanceState.Busy, InstanceState.Stopping, InstanceState.Failed],
        [InstanceState.Busy] = [InstanceState.Idle, InstanceState.Failed, InstanceState.Stopping],
        [InstanceState.Failed] = [InstanceState.Stopping],
        [InstanceState.Stopping] = [InstanceState.Gone],
        [InstanceState.Gone] = [],
    };

    private readonly Lock _lock = new();

    public string InstanceId { get; } = instanceId;
    public string FunctionName { get; } = functionName;
    public string RevisionId { get; } = revisionId;
    /// <summary>The function's memory size: what this instance counts against the silo's memory budget.</summary>
    public int MemoryMb { get; } = memoryMb;
    public InstanceState State { get; private set; } = InstanceState.Spawning;
    public WorkerProcess? Process { get; private set; }
    public WorkerClient? Client { get; private set; }
    /// <summary>Set by the memory watchdog when it killed the worker for using more than its memory size.</summary>
    public volatile bool OutOfMemory;

    /// <summary>The highest resident memory the watchdog saw.</summary>
    public long PeakResidentBytes { get; set; }

    /// <summary><see cref="Environment.TickCount64"/> when the instance last finished an invocation.</summary>
    public long LastUsedTicks { get; private set; } = Environment.TickCount64;

    /// <summary>Moves from <paramref name="from"/> to <paramref name="to"/>; false when the instance is not in <paramref name="from"/>.</summary>
    public bool TryMove(InstanceState from, InstanceState to)
    {
        if (!Transitions[from].Contains(to))
        {
            throw new InvalidOperationException($"Instance {InstanceId}: {from} -> {to} is not a transition.");
        }
        lock (_lock)
        {
            if (State != from)
            {
                return false;
            }
            State = to;
            if (from == InstanceState.Busy)
            {
                LastUsedTicks = Environment.TickCount64;
            }
            return true;
        }
    }

    /// <summary>Moves to Stopping from wherever it is (unless already stopping or gone); true if this call did.</summary>
    public bool BeginStop()
    {
        lock (_lock)
        {
            if (State is InstanceState.Stopping or InstanceState.Gone)
            {
                return false;
            }
            State = InstanceState.Stopping;
            return true;
        }
    }

    public void MarkGone()
    {
        lock (_lock)
        {
            State = InstanceState.Gone;
        }
    }

    /// <summary>Spawning -> Ready: the process answers on its socket.</summary>
    public void Attach(WorkerProcess process, WorkerClient client)
    {
        Process = process;
        Client = client;
        if (!TryMove(InstanceState.Spawning, InstanceState.Ready))
        {
            throw new InvalidOperationException($"Instance {InstanceId} was stopped while it started.");
        }
    }
}
