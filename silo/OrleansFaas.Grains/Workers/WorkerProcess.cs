using OrleansFaas.Grains.Hosting;

namespace OrleansFaas.Grains.Workers;

/// <summary>
/// One Python worker OS process serving the worker protocol on a Unix socket, however it was made: spawned
/// as a fresh interpreter, or forked by this silo's zygote. Stopping it SIGKILLs its process group (a worker
/// leads its own group), so whatever its handler forked goes with it.
/// </summary>
public abstract class WorkerProcess
{
    public const string ReadyLine = "FAAS_WORKER_READY";

    protected WorkerProcess(int pid, string socketPath)
    {
        Pid = pid;
        SocketPath = socketPath;
    }

    public int Pid { get; }

    /// <summary>The socket path; a stem cell's socket is renamed to its instance's when it is taken.</summary>
    public string SocketPath { get; private set; }

    /// <summary>How the process came to be: <see cref="ColdStartSource.Spawn"/> or <see cref="ColdStartSource.Fork"/>.</summary>
    public abstract string Origin { get; }

    public abstract bool HasExited { get; }

    /// <summary>The pid file that lets a later run of this silo reap the process if this one dies first.</summary>
    public string? PidFile { get; set; }

    /// <summary>Waits for the process to end; its exit status (128+N for signal N), or null if it still runs.</summary>
    public abstract Task<int?> WaitForExitAsync(TimeSpan wait);

    public abstract string StderrTail();

    /// <summary>
    /// Moves the socket to <paramref name="path"/>. A bound Unix socket is found through its inode, so the
    /// listening worker keeps serving under the new name.
    /// </summary>
    public void MoveSocket(string path)
    {
        File.Move(SocketPath, path, overwrite: true);
        SocketPath = path;
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

    public virtual async Task StopAsync()
    {
        Kill();
        await WaitForExitAsync(TimeSpan.FromSeconds(5));
        if (PidFile is not null)
        {
            File.Delete(PidFile);
        }
    }
}

/// <summary>A worker started as a fresh interpreter (about 70 ms here before it serves).</summary>
public sealed class SpawnedWorkerProcess : WorkerProcess
{
    private readonly PythonProcess _python;

    private SpawnedWorkerProcess(PythonProcess python, string socketPath) : base(python.Pid, socketPath) => _python = python;

    public override string Origin => ColdStartSource.Spawn;

    public override bool HasExited => _python.HasExited;

    public static async Task<SpawnedWorkerProcess> StartAsync(ProcessSpawner spawner, WorkerSettings settings, string socketPath)
    {
        var python = await PythonProcess.StartAsync(spawner, settings, "faas_worker", ["--socket", socketPath], ReadyLine);
        return new SpawnedWorkerProcess(python, socketPath);
    }

    public override Task<int?> WaitForExitAsync(TimeSpan wait) => _python.WaitForExitAsync(wait);

    public override string StderrTail() => _python.StderrTail();

    public override async Task StopAsync()
    {
        await base.StopAsync();
        _python.Dispose();
    }
}
