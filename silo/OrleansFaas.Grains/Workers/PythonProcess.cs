using System.Diagnostics;
using System.Text;
using OrleansFaas.Abstractions.Model;
using OrleansFaas.Grains.Hosting;

namespace OrleansFaas.Grains.Workers;

/// <summary>
/// A Python process this silo starts (a worker, or the zygote): a clean Lambda-like environment, ready when it
/// prints its readiness line; its stdout and stderr are drained for its whole life (a full pipe would block it)
/// and the tail of stderr explains a failed start. Its stdin stays open: when this silo dies the kernel closes
/// it, and the process's watchdog kills its process group.
/// </summary>
public sealed class PythonProcess
{
    private const int StderrTailChars = 4096;

    private readonly Process _process;
    private readonly string _readyPrefix;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StringBuilder _stderrTail = new();

    private PythonProcess(Process process, string readyPrefix)
    {
        _process = process;
        _readyPrefix = readyPrefix;
        Pid = process.Id;
    }

    public int Pid { get; }
    public bool HasExited => _process.HasExited;

    /// <summary>Starts <c>python -m MODULE ARGS…</c> and waits for the line starting with <paramref name="readyPrefix"/>.</summary>
    public static async Task<PythonProcess> StartAsync(
        ProcessSpawner spawner, WorkerSettings settings, string module, IEnumerable<string> arguments, string readyPrefix)
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
        info.ArgumentList.Add(module);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
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
                $"Cannot start the Python interpreter '{settings.Python}' (set FAAS_PYTHON): {e.Message}");
        }
        var python = new PythonProcess(process, readyPrefix);
        _ = python.DrainStdoutAsync();
        _ = python.DrainStderrAsync();
        await python.WaitReadyAsync(settings);
        return python;
    }

    private async Task WaitReadyAsync(WorkerSettings settings)
    {
        using var timeout = new CancellationTokenSource(settings.StartTimeout);
        var exited = _process.WaitForExitAsync(timeout.Token);
        try
        {
            if (await Task.WhenAny(_ready.Task, exited).WaitAsync(timeout.Token) == _ready.Task)
            {
                return;
            }
        }
        catch (OperationCanceledException)
        {
            NativeMethods.KillProcessGroup(Pid);
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
                if (!_ready.Task.IsCompleted && line.StartsWith(_readyPrefix, StringComparison.Ordinal))
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

    /// <summary>Waits for the process to end; its exit status (128+N for signal N), or null if it still runs.</summary>
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

    public void Dispose() => _process.Dispose();
}
