using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using OrleansFaas.Abstractions.Model;
using OrleansFaas.Grains.Hosting;
using OrleansFaas.Grains.Packages;
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

/// <summary>
/// This silo's worker processes: starts them (unpacking the code package once), runs invocations on them
/// with the function's timeout, and stops them. It never decides on its own which instance to reuse:
/// that is the pool grain's job (see <see cref="InstanceState"/> for the contract).
/// No worker outlives the silo: stopped on shutdown, SIGKILLed by the kernel if the silo dies
/// (parent-death signal and stdin EOF), and leftovers of a previous run of this data folder are reaped on start.
/// </summary>
public sealed class WorkerHost : IAsyncDisposable
{
    private static readonly TimeSpan MinInitTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, WorkerInstance> _instances = new(StringComparer.Ordinal);
    private readonly WorkerSettings _settings;
    private readonly PackageCache _packages;
    private readonly ProcessSpawner _spawner;
    private readonly ILogger<WorkerHost> _logger;
    private readonly string _socketDir;
    private readonly string _pidDir;
    private int _disposed;

    public WorkerHost(WorkerSettings settings, PackageCache packages, ProcessSpawner spawner, ILogger<WorkerHost> logger)
    {
        _settings = settings;
        _packages = packages;
        _spawner = spawner;
        _logger = logger;
        _socketDir = Path.Combine(settings.DataDirectory, "sockets");
        _pidDir = Path.Combine(settings.DataDirectory, "workers");
        ReapLeftovers();
        Directory.CreateDirectory(_socketDir);
        Directory.CreateDirectory(_pidDir);
    }

    public int Count => _instances.Count;

    /// <summary>
    /// Starts a worker for a cold lease and loads the function into it. On success the instance is Busy
    /// (its first invocation follows); on a load error it is stopped and the error is returned.
    /// </summary>
    public async Task<(WorkerInstance Instance, LoadReply Load)> StartAsync(string instanceId, FunctionDefinition definition)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var instance = new WorkerInstance(instanceId, definition.Name, definition.RevisionId);
        _instances[instanceId] = instance;
        try
        {
            var codeDir = await _packages.GetDirectoryAsync(definition.CodeSha256);
            var socketPath = Path.Combine(_socketDir, instanceId + ".sock");
            var process = await WorkerProcess.StartAsync(_spawner, _settings, socketPath, CancellationToken.None);
            await File.WriteAllTextAsync(PidFile(process.Pid), socketPath);
            instance.Attach(process, new WorkerClient(socketPath));
            instance.TryMove(InstanceState.Ready, InstanceState.Loading);

            var initTimeout = TimeSpan.FromSeconds(definition.TimeoutSeconds) > MinInitTimeout
                ? TimeSpan.FromSeconds(definition.TimeoutSeconds) : MinInitTimeout;
            var loadRequest = new LoadRequest
                {
                    CodeDir = codeDir,
                    Handler = definition.Handler,
                    FunctionName = definition.Name,
                    FunctionVersion = definition.Version,
                    MemoryMb = definition.MemoryMb,
                    TimeoutSeconds = definition.TimeoutSeconds,
                    InvokedFunctionArn = FunctionArn.For(definition.Name),
                    LogStreamName = LogStreamName(definition, instanceId),
                    Region = FunctionArn.Region,
                };
            foreach (var (key, value) in definition.Environment)
            {
                loadRequest.Environment[key] = value;
            }
            var load = await instance.Client!.Worker.LoadAsync(loadRequest, deadline: DateTime.UtcNow + initTimeout);
            if (!load.Ok)
            {
                await StopAsync(instanceId);
                return (instance, load);
            }
            instance.TryMove(InstanceState.Loading, InstanceState.Busy);
            return (instance, load);
        }
        catch (RpcException e)
        {
            var status = instance.Process is { } p ? await p.WaitForExitAsync(TimeSpan.FromMilliseconds(500)) : null;
            await StopAsync(instanceId);
            var error = e.StatusCode == StatusCode.DeadlineExceeded
                ? new ErrorInfo { ErrorType = "Runtime.InitTimeout", ErrorMessage = "Init phase timed out while importing the handler module." }
                : new ErrorInfo { ErrorType = "Runtime.ExitError", ErrorMessage = $"Runtime exited during init: {ExitText(status)}" };
            return (instance, new LoadReply { Ok = false, Error = error });
        }
        catch
        {
            await StopAsync(instanceId);
            throw;
        }
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
        try
        {
            var reply = await instance.Client!.Worker.InvokeAsync(
                new InvokeRequest
                {
                    RequestId = request.RequestId,
                    Event = UnsafeByteOperations.UnsafeWrap(request.Payload),
                    DeadlineUnixMs = deadline.ToUnixTimeMilliseconds(),
                    InvokedFunctionArn = FunctionArn.For(definition.Name),
                    ClientContext = request.ClientContext,
                },
                deadline: deadline.UtcDateTime);
            var memoryMb = (int)Math.Ceiling(reply.MaxMemoryKb / 1024.0);
            var outcome = reply.Status switch
            {
                InvokeStatus.Ok => new WorkerOutcome(reply.Payload.ToByteArray(), null, reply.Logs, reply.DurationMs, memoryMb, true),
                InvokeStatus.FunctionError => new WorkerOutcome([], ToError(reply.Error), reply.Logs, reply.DurationMs, memoryMb, true),
                _ => new WorkerOutcome([], new FunctionErrorInfo("Runtime.Unknown", $"RequestId: {request.RequestId} Error: the worker had no function loaded.", []), reply.Logs, reply.DurationMs, memoryMb, false),
            };
            Finish(instance, outcome.Healthy);
            return outcome;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded)
        {
            await StopAsync(instance.InstanceId);
            var seconds = definition.TimeoutSeconds.ToString("0.00", CultureInfo.InvariantCulture);
            return new WorkerOutcome([],
                new FunctionErrorInfo("Sandbox.Timedout", $"RequestId: {request.RequestId} Error: Task timed out after {seconds} seconds", []),
                $"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {request.RequestId} Task timed out after {seconds} seconds\n",
                timeout.TotalMilliseconds, 0, false);
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

    private void Finish(WorkerInstance instance, bool healthy)
    {
        if (healthy && instance.TryMove(InstanceState.Busy, InstanceState.Idle))
        {
            return;
        }
        _ = StopAsync(instance.InstanceId);
    }

    /// <summary>Stops one instance (no-op when unknown); its process group is SIGKILLed.</summary>
    public async Task StopAsync(string instanceId)
    {
        if (!_instances.TryRemove(instanceId, out var instance))
        {
            return;
        }
        instance.BeginStop();
        instance.Client?.Dispose();
        if (instance.Process is { } process)
        {
            await process.StopAsync();
            TryDelete(PidFile(process.Pid));
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

    /// <summary>Pids of this silo's live workers (for tests and tools).</summary>
    public IReadOnlyList<int> WorkerPids() =>
        _instances.Values.Select(i => i.Process?.Pid ?? 0).Where(p => p > 0).ToList();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await Task.WhenAll(_instances.Keys.ToList().Select(StopAsync));
        _logger.LogInformation("Stopped every worker of this silo");
    }

    /// <summary>
    /// Kills workers left by an earlier run of this data folder (a silo that was SIGKILLed before its workers
    /// noticed). Only processes whose command line names this folder's socket are touched.
    /// </summary>
    private void ReapLeftovers()
    {
        if (!Directory.Exists(_pidDir))
        {
            return;
        }
        foreach (var file in Directory.GetFiles(_pidDir, "*.pid"))
        {
            if (int.TryParse(Path.GetFileNameWithoutExtension(file), out var pid) && IsOurWorker(pid, File.ReadAllText(file)))
            {
                _logger.LogWarning("Reaping leftover worker process {Pid}", pid);
                NativeMethods.KillProcessGroup(pid);
            }
            TryDelete(file);
        }
        if (Directory.Exists(_socketDir))
        {
            foreach (var socket in Directory.GetFiles(_socketDir))
            {
                TryDelete(socket);
            }
        }
    }

    private static bool IsOurWorker(int pid, string socketPath)
    {
        try
        {
            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
            return cmdline.Contains("faas_worker", StringComparison.Ordinal) && cmdline.Contains(socketPath, StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private string PidFile(int pid) => Path.Combine(_pidDir, pid.ToString(CultureInfo.InvariantCulture) + ".pid");

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }

    private static string ExitText(int? status) => status switch
    {
        null => "the worker stopped answering",
        > 128 => $"signal: {status - 128}",
        < 0 => $"signal: {-status}",
        _ => $"exit status {status}",
    };

    private static string LogStreamName(FunctionDefinition definition, string instanceId) =>
        $"{DateTime.UtcNow:yyyy/MM/dd}/[{definition.Version}]{instanceId}";

    public static FunctionErrorInfo ToError(ErrorInfo? error) =>
        error is null
            ? new FunctionErrorInfo("Runtime.Unknown", "The worker reported an error without details.", [])
            : new FunctionErrorInfo(error.ErrorType, error.ErrorMessage, error.StackTrace.ToList());
}
