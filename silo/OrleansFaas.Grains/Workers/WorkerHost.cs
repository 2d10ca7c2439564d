using System.Collections.Concurrent;
using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using OrleansFaas.Abstractions.Grains;
using OrleansFaas.Abstractions.Model;
using OrleansFaas.Grains.Hosting;
using OrleansFaas.Grains.Packages;
using OrleansFaas.Grains.Pool;
using OrleansFaas.Worker.V1;

namespace OrleansFaas.Grains.Workers;

/// <summary>What running one invocation on an instance gave: the worker's reply or a function error, and whether the instance may be reused.</summary>
public sealed record WorkerOutcome(
    byte[] Payload,
    FunctionErrorInfo? Error,
    string Logs,
    double DurationMs,
    int MaxMemoryUsedMb,
    bool Healthy);

/// <summary>How a cold start got its process: a stem cell (Load only), a zygote fork, or a fresh interpreter.</summary>
public static class ColdStartSource
{
    public const string StemCell = "stem-cell";
    public const string Fork = "fork";
    public const string Spawn = "spawn";
}

/// <summary>
/// This silo's worker instances: starts them (a stem cell when one is ready, else a fork or a spawn; the code
/// package unpacked once), keeps the sum of their memory sizes within the silo's budget (evicting the idle
/// instance used longest ago, of any function, with its pool's consent), runs invocations on them with the
/// function's timeout, and stops them. It never decides on its own which instance to reuse: that is the pool
/// grain's job (see <see cref="InstanceState"/> for the contract).
/// </summary>
public sealed class WorkerHost : IAsyncDisposable
{
    private static readonly TimeSpan MinInitTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, WorkerInstance> _instances = new(StringComparer.Ordinal);
    private readonly Lock _memoryLock = new();
    private readonly WorkerSettings _settings;
    private readonly PackageCache _packages;
    private readonly WorkerLauncher _launcher;
    private readonly StemCellPool _stemCells;
    private readonly IGrainFactory _grains;
    private readonly MemoryWatchdog _watchdog;
    private readonly ILogger<WorkerHost> _logger;
    private int _usedMemoryMb;
    private int _disposed;

    public WorkerHost(WorkerSettings settings, PackageCache packages, WorkerLauncher launcher, StemCellPool stemCells,
        IGrainFactory grains, MemoryWatchdog watchdog, ILogger<WorkerHost> logger)
    {
        _watchdog = watchdog;
        _settings = settings;
        _packages = packages;
        _launcher = launcher;
        _stemCells = stemCells;
        _grains = grains;
        _logger = logger;
    }

    /// <summary>
    /// Starts a worker for a cold lease and loads the function into it. On success the instance is Busy
    /// (its first invocation follows); on a load error it is stopped and the error is returned.
    /// </summary>
    public async Task<(WorkerInstance Instance, LoadReply Load, string Source)> StartAsync(
        string instanceId, FunctionDefinition definition, bool useStemCell = true)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await ReserveMemoryAsync(definition.MemoryMb);
        var instance = new WorkerInstance(instanceId, definition.Name, definition.RevisionId, definition.MemoryMb);
        _instances[instanceId] = instance;
        try
        {
            var codeDir = _packages.GetDirectoryAsync(definition.CodeSha256);
            var socketPath = _launcher.SocketPath(instanceId);
            WorkerProcess process;
            WorkerClient client;
            string source;
            if (useStemCell && _stemCells.TryTake() is { } cell)
            {
                cell.Process.MoveSocket(socketPath); // the connection stays; the name is for tools (faas bench)
                (process, client, source) = (cell.Process, cell.Client, ColdStartSource.StemCell);
            }
            else
            {
                process = await _launcher.LaunchAsync(socketPath);
                client = new WorkerClient(socketPath);
                source = process.Origin;
            }
            instance.Attach(process, client);
            instance.TryMove(InstanceState.Ready, InstanceState.Loading);

            var load = await instance.Client!.Worker.LoadAsync(LoadRequestFor(definition, await codeDir, instanceId),
                deadline: DateTime.UtcNow + Max(TimeSpan.FromSeconds(definition.TimeoutSeconds), MinInitTimeout));
            if (!load.Ok)
            {
                await StopAsync(instanceId);
                return (instance, load, source);
            }
            instance.TryMove(InstanceState.Loading, InstanceState.Busy);
            return (instance, load, source);
        }
        catch (RpcException e)
        {
            var status = instance.Process is { } p ? await p.WaitForExitAsync(TimeSpan.FromMilliseconds(500)) : null;
            await StopAsync(instanceId);
            var error = e.StatusCode == StatusCode.DeadlineExceeded
                ? new ErrorInfo { ErrorType = "Runtime.InitTimeout", ErrorMessage = "Init phase timed out while importing the handler module." }
                : new ErrorInfo { ErrorType = "Runtime.ExitError", ErrorMessage = $"Runtime exited during init: {ExitText(status)}" };
            return (instance, new LoadReply { Ok = false, Error = error }, "");
        }
        catch
        {
            await StopAsync(instanceId);
            throw;
        }
    }

    private static LoadRequest LoadRequestFor(FunctionDefinition definition, string codeDir, string instanceId)
    {
        var request = new LoadRequest
        {
            CodeDir = codeDir,
            Handler = definition.Handler,
            FunctionName = definition.Name,
            FunctionVersion = definition.Version,
            MemoryMb = definition.MemoryMb,
            TimeoutSeconds = definition.TimeoutSeconds,
            InvokedFunctionArn = FunctionArn.For(definition.Name),
            LogStreamName = $"{DateTime.UtcNow:yyyy/MM/dd}/[{definition.Version}]{instanceId}",
            Region = FunctionArn.Region,
        };
        foreach (var (key, value) in definition.Environment)
        {
            request.Environment[key] = value;
        }
        return request;
    }

    /// <summary>
    /// Counts <paramref name="memoryMb"/> against the silo's budget. When the silo is full, idle instances are
    /// evicted, the one used longest ago first (any function; each with its pool's consent, so a leased
    /// instance is never stopped); when none can be, it waits up to the capacity wait, then throttles.
    /// </summary>
    private async Task ReserveMemoryAsync(int memoryMb)
    {
        var deadline = DateTime.UtcNow + _settings.CapacityWait;
        while (true)
        {
            (CapacityDecision Decision, IReadOnlyList<IdleCandidate> EvictionOrder) plan;
            lock (_memoryLock)
            {
                plan = SiloCapacity.Decide(_usedMemoryMb, _settings.MemoryBudgetMb, memoryMb, IdleCandidates(), DateTime.UtcNow >= deadline);
                if (plan.Decision == CapacityDecision.Admit)
                {
                    _usedMemoryMb += memoryMb;
                    return;
                }
            }
            switch (plan.Decision)
            {
                case CapacityDecision.Evict when await EvictFirstAsync(plan.EvictionOrder):
                    continue;
                case CapacityDecision.Throttle:
                    throw new FaasException(FaasErrorCode.ResourceExhausted, memoryMb > _settings.MemoryBudgetMb
                        ? $"Rate Exceeded. (ConcurrentInvocationLimitExceeded: {memoryMb} MB does not fit this silo's memory budget of {_settings.MemoryBudgetMb} MB)"
                        : $"Rate Exceeded. (ConcurrentInvocationLimitExceeded: this silo's memory budget of {_settings.MemoryBudgetMb} MB is in use by running instances; waited {_settings.CapacityWait.TotalSeconds:0.#} s)");
                default:
                    await Task.Delay(20); // Wait, or every idle candidate was leased meanwhile
                    break;
            }
        }
    }

    private IEnumerable<IdleCandidate> IdleCandidates() =>
        _instances.Values.Where(i => i.State == InstanceState.Idle)
            .Select(i => new IdleCandidate(i.InstanceId, i.FunctionName, i.MemoryMb, i.LastUsedTicks));

    /// <summary>Evicts the first candidate its pool lets go (one leased meanwhile is skipped); false when none.</summary>
    private async Task<bool> EvictFirstAsync(IReadOnlyList<IdleCandidate> order)
    {
        foreach (var candidate in order)
        {
            if (await _grains.GetGrain<IInstancePoolGrain>(candidate.Function).TryRetire(candidate.InstanceId))
            {
                _logger.LogInformation("Evicting idle instance {Instance} of {Function} to make room", candidate.InstanceId, candidate.Function);
                await StopAsync(candidate.InstanceId);
                return true;
            }
        }
        return false;
    }

    /// <summary>Takes the idle instance a warm lease names (Idle -> Busy); null when this silo no longer has it.</summary>
    public WorkerInstance? TryTake(string instanceId) =>
        _instances.TryGetValue(instanceId, out var instance) && instance.TryMove(InstanceState.Idle, InstanceState.Busy)
            ? instance
            : null;

    /// <summary>
    /// Runs one event on a Busy instance. The function's timeout is enforced here: at the deadline the
    /// process is killed and the caller gets Sandbox.Timedout. A process that dies mid-call gives Runtime.ExitError.
    /// Leaves the instance Idle when it may be reused, otherwise stops it.
    /// </summary>
    public async Task<WorkerOutcome> InvokeAsync(WorkerInstance instance, InvocationRequest request, FunctionDefinition definition)
    {
        var timeout = TimeSpan.FromSeconds(definition.TimeoutSeconds);
        var deadline = DateTimeOffset.UtcNow + timeout;
        using var watch = _watchdog.Start(instance, definition.MemoryMb);
        using var timer = new CancellationTokenSource(timeout);
        try
        {
            var reply = await instance.Client!.InvokeAsync(
                new InvokeRequest
                {
                    RequestId = request.RequestId,
                    Event = UnsafeByteOperations.UnsafeWrap(request.Payload),
                    DeadlineUnixMs = deadline.ToUnixTimeMilliseconds(),
                    InvokedFunctionArn = FunctionArn.For(definition.Name),
                    ClientContext = request.ClientContext,
                },
                timer.Token);
            var memoryMb = (int)Math.Ceiling(reply.MaxMemoryKb / 1024.0);
            // A handler that left processes behind makes its instance unfit for reuse: it is stopped, and they with it.
            var reusable = !reply.LeftProcesses;
            var outcome = reply.Status switch
            {
                InvokeStatus.Ok => new WorkerOutcome(reply.Payload.ToByteArray(), null, reply.Logs, reply.DurationMs, memoryMb, reusable),
                InvokeStatus.FunctionError => new WorkerOutcome([], ToError(reply.Error), reply.Logs, reply.DurationMs, memoryMb, reusable),
                _ => new WorkerOutcome([], new FunctionErrorInfo("Runtime.Unknown", $"RequestId: {request.RequestId} Error: the worker had no function loaded.", []), reply.Logs, reply.DurationMs, memoryMb, false),
            };
            Finish(instance, outcome.Healthy);
            return outcome;
        }
        catch (Exception e) when (timer.IsCancellationRequested && e is RpcException or OperationCanceledException)
        {
            await StopAsync(instance.InstanceId);
            var seconds = definition.TimeoutSeconds.ToString("0.00", CultureInfo.InvariantCulture);
            return new WorkerOutcome([],
                new FunctionErrorInfo("Sandbox.Timedout", $"RequestId: {request.RequestId} Error: Task timed out after {seconds} seconds", []),
                $"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {request.RequestId} Task timed out after {seconds} seconds\n",
                timeout.TotalMilliseconds, 0, false);
        }
        catch (RpcException) when (instance.OutOfMemory)
        {
            await StopAsync(instance.InstanceId);
            var usedMb = (int)Math.Ceiling(instance.PeakResidentBytes / (1024.0 * 1024.0));
            return new WorkerOutcome([],
                new FunctionErrorInfo("Runtime.OutOfMemory", $"RequestId: {request.RequestId} Error: Runtime exited with error: signal: killed (memory used {usedMb} MB exceeds the function's memory size of {definition.MemoryMb} MB)", []),
                "", 0, usedMb, false);
        }
        catch (RpcException)
        {
            var status = await instance.Process!.WaitForExitAsync(TimeSpan.FromSeconds(2));
            await StopAsync(instance.InstanceId);
            return new WorkerOutcome([],
                new FunctionErrorInfo("Runtime.ExitError", $"RequestId: {request.RequestId} Error: Runtime exited with error: {ExitText(status)}", []),
                "", 0, 0, false);
        }
    }

    /// <summary>A freshly started instance that served no invocation (a provisioned one) becomes Idle.</summary>
    public void MarkIdle(WorkerInstance instance) => Finish(instance, healthy: true);

    private void Finish(WorkerInstance instance, bool healthy)
    {
        if (healthy && instance.TryMove(InstanceState.Busy, InstanceState.Idle))
        {
            return;
        }
        _ = StopAsync(instance.InstanceId);
    }

    /// <summary>Stops one instance (no-op when unknown); its process group is SIGKILLed and its memory freed.</summary>
    public async Task StopAsync(string instanceId)
    {
        if (!_instances.TryRemove(instanceId, out var instance))
        {
            return;
        }
        lock (_memoryLock)
        {
            _usedMemoryMb -= instance.MemoryMb;
        }
        instance.BeginStop();
        instance.Client?.Dispose();
        if (instance.Process is { } process)
        {
            await process.StopAsync();
        }
        instance.MarkGone();
    }

    /// <summary>Every instance of this silo grouped by function, as the pools' sweep wants them.</summary>
    public IReadOnlyDictionary<string, List<InstanceReport>> Report()
    {
        var now = Environment.TickCount64;
        var byFunction = new Dictionary<string, List<InstanceReport>>(StringComparer.Ordinal);
        foreach (var instance in _instances.Values)
        {
            var state = instance.State;
            if (state is InstanceState.Stopping or InstanceState.Gone or InstanceState.Failed)
            {
                continue;
            }
            if (!byFunction.TryGetValue(instance.FunctionName, out var list))
            {
                byFunction[instance.FunctionName] = list = [];
            }
            var idle = state == InstanceState.Idle;
            list.Add(new InstanceReport(instance.InstanceId, instance.RevisionId, !idle,
                idle ? TimeSpan.FromMilliseconds(now - instance.LastUsedTicks) : TimeSpan.Zero));
        }
        return byFunction;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _stemCells.DisposeAsync();
        await Task.WhenAll(_instances.Keys.ToList().Select(StopAsync));
        await _launcher.DisposeAsync();
        _logger.LogInformation("Stopped every worker of this silo");
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static string ExitText(int? status) => status switch
    {
        null => "the worker stopped answering",
        > 128 => $"signal: {status - 128}",
        < 0 => $"signal: {-status}",
        _ => $"exit status {status}",
    };

    public static FunctionErrorInfo ToError(ErrorInfo? error) =>
        error is null
            ? new FunctionErrorInfo("Runtime.Unknown", "The worker reported an error without details.", [])
            : new FunctionErrorInfo(error.ErrorType, error.ErrorMessage, error.StackTrace.ToList());
}
