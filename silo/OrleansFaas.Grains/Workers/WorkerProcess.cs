using System.Diagnostics;
using System.Text;
using OrleansFaas.Abstractions.Model;
using OrleansFaas.Grains.Hosting;

namespace OrleansFaas.Grains.Workers;

/// <summary>
/// One Python worker OS process: started with the worker module on a Unix socket, ready when it prints its
/// readiness line, stopped by SIGKILL to its process group. Its stdout and stderr are drained for its whole
/// life (a full pipe would block it); the tail of stderr explains a failed start.
/// The worker's stdin stays open: when this silo dies the kernel closes it, and the worker's watchdog exits.
/// </summary>
public sealed class WorkerProcess
{
    public const string ReadyLine = "FAAS_WORKER_READY";
    private const int StderrTailChars = 4096;

    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StringBuilder _stderrTail = new();

    private WorkerProcess(Process process, string socketPath)
    {
        _process = process;
        SocketPath = socketPath;
        Pid = process.Id;
    }

    public int Pid { get; }
    public string SocketPath { get; }
    public bool HasExited => _process.HasExited;

    public static async Task<WorkerProcess> StartAsync(
        ProcessSpawner spawner, WorkerSettings settings, string socketPath, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(settings.Python)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = settings.WorkerDirectory,
        };
        info.ArgumentList.Add("-m");
        info.ArgumentList.Add("faas_worker");
        info.ArgumentList.Add("--socket");
        info.ArgumentList.Add(socketPath);
        // A clean, Lambda-like environment: nothing of the silo's own configuration leaks into user code.
        info.Environment.Clear();
        info.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
        info.Environment["LANG"] = "C.UTF-8";
        info.Environment["HOME"] = "/tmp";
        info.Environment["PYTHONPATH"] = settings.WorkerDirectory + ":" + Path.Combine(settings.WorkerDirectory, "gen");

        Process process;
        try
        {
            process = await spawner.StartAsync(info);
        }
        catch (Exception e)
        {
            throw new FaasException(FaasErrorCode.Unavailable,
                $"Cannot start the Python worker '{settings.Python}' (set FAAS_PYTHON): {e.Message}");
        }
        var worker = new WorkerProcess(process, socketPath);
        _ = worker.DrainStdoutAsync();
        _ = worker.DrainStderrAsync();
        await worker.WaitReadyAsync(settings, cancellationToken);
        return worker;
    }

    private async Task WaitReadyAsync(WorkerSettings settings, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.StartTimeout);
        var exited = _process.WaitForExitAsync(timeout.Token);
        try
        {
            var first = await Task.WhenAny(_ready.Task, exited).WaitAsync(timeout.Token);
            if (first == _ready.Task)
            {
                return;
            }
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new FaasException(FaasErrorCode.Unavailable,
                $"The Python worker did not become ready within {settings.StartTimeout.TotalSeconds:0.#} s. {StderrTail()}".TrimEnd());
        }
        await Task.Delay(50, CancellationToken.None); // let the stderr drain catch the last lines
        var stderr = StderrTail();
        var reason = stderr.Contains("No module named 'grpc'", StringComparison.Ordinal)
            ? $"The Python interpreter '{settings.Python}' cannot import grpc: install python3-grpcio and python3-protobuf (apt-get install -y python3-grpcio python3-protobuf) or point FAAS_PYTHON at an interpreter that has them."
            : $"The Python worker exited with status {_process.ExitCode} before it was ready.";
        throw new FaasException(FaasErrorCode.Unavailable, $"{reason} {stderr}".TrimEnd());
    }

    private async Task DrainStdoutAsync()
    {
        try
        {
            string? line;
            while ((line = await _process.StandardOutput.ReadLineAsync()) is not null)
            {
                if (!_ready.Task.IsCompleted && line.StartsWith(ReadyLine, StringComparison.Ordinal))
                {
                    _ready.TrySetResult();
                }
            }
        }
        catch (Exception)
        {
            // The process is gone; nothing left to drain.
        }
    }

    private async Task DrainStderrAsync()
    {
        var buffer = new char[4096];
        try
        {
            int read;
            while ((read = await _process.StandardError.ReadAsync(buffer)) > 0)
            {
                lock (_stderrTail)
                {
                    _stderrTail.Append(buffer, 0, read);
                    if (_stderrTail.Length > StderrTailChars)
                    {
                        _stderrTail.Remove(0, _stderrTail.Length - StderrTailChars);
                    }
                }
            }
        }
        catch (Exception)
        {
            // The process is gone; nothing left to drain.
        }
    }

    public string StderrTail()
    {
        lock (_stderrTail)
        {
            return _stderrTail.ToString().Trim();
        }
    }

    /// <summary>Waits for the process to end; its exit status, or null if it still runs after the wait.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan wait)
    {
        using var cts = new CancellationTokenSource(wait);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>SIGKILLs the worker and everything its handler started; removes its socket.</summary>
    public void Kill()
    {
        NativeMethods.KillProcessGroup(Pid);
        try
        {
            File.Delete(SocketPath);
        }
        catch (IOException)
        {
        }
    }

    public async Task StopAsync()
    {
        Kill();
        await WaitForExitAsync(TimeSpan.FromSeconds(5));
        _process.Dispose();
    }
}
