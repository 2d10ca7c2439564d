using System.Collections.Concurrent;
using System.Diagnostics;

namespace OrleansFaas.Grains.Workers;

/// <summary>
/// Starts processes from one long-lived thread. A worker asks the kernel for SIGKILL when its parent dies
/// (PR_SET_PDEATHSIG), and Linux delivers that when the *thread* that forked it exits; thread-pool threads
/// come and go, so forking from them would kill healthy workers at random. This thread lives as long as the silo.
/// </summary>
public sealed class ProcessSpawner : IDisposable
{
    private readonly BlockingCollection<(ProcessStartInfo Info, TaskCompletionSource<Process> Done)> _queue = new();
    private readonly Thread _thread;

    public ProcessSpawner()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "faas-process-spawner" };
        _thread.Start();
    }

    public Task<Process> StartAsync(ProcessStartInfo info)
    {
        var done = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Add((info, done));
        return done.Task;
    }

    private void Run()
    {
        foreach (var (info, done) in _queue.GetConsumingEnumerable())
        {
            try
            {
                var process = new Process { StartInfo = info, EnableRaisingEvents = true };
                process.Start();
                done.SetResult(process);
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }
    }

    public void Dispose() => _queue.CompleteAdding();
}
