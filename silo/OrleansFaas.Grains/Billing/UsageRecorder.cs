using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace OrleansFaas.Grains.Billing;

/// <summary>
/// This silo's writer to the ledger, with group commit: steps queued while a batch is being written go out
/// together in the next one, and each caller's task completes only when the batch holding its step is durable.
/// The invoker awaits a Begin before user code can run and a Complete before it answers, so every
/// invocation whose handler ran is in the ledger exactly once, even when a silo or the gateway dies mid-call.
/// </summary>
public sealed class UsageRecorder : IAsyncDisposable
{
    private const int MaxBatch = 512;

    private readonly Channel<(UsageEntry Entry, TaskCompletionSource Done)> _queue =
        Channel.CreateUnbounded<(UsageEntry, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IUsageStore _store;
    private readonly ILogger<UsageRecorder> _logger;
    private readonly Task _writer;

    public UsageRecorder(IUsageStore store, ILogger<UsageRecorder> logger)
    {
        _store = store;
        _logger = logger;
        _writer = Task.Run(WriteLoopAsync);
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _memoryByFunction = new(StringComparer.Ordinal);

    /// <summary>The memory size this silo last saw for a function (the default for one never seen).</summary>
    public int LastMemoryMb(string function) =>
        _memoryByFunction.TryGetValue(function, out var memoryMb) ? memoryMb : Abstractions.Model.FunctionLimits.DefaultMemoryMb;

    public void RememberMemoryMb(string function, int memoryMb) => _memoryByFunction[function] = memoryMb;

    public Task RecordAsync(UsageEntry entry)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite((entry, done)))
        {
            done.SetException(new ObjectDisposedException(nameof(UsageRecorder)));
        }
        return done.Task;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<(UsageEntry Entry, TaskCompletionSource Done)>(MaxBatch);
        var entries = new List<UsageEntry>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item))
            {
                batch.Add(item);
                entries.Add(item.Entry);
            }
            try
            {
                await _store.ApplyAsync(entries);
                foreach (var (_, done) in batch)
                {
                    done.TrySetResult();
                }
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Writing {Count} ledger steps failed", batch.Count);
                foreach (var (_, done) in batch)
                {
                    done.TrySetException(e);
                }
            }
            batch.Clear();
            entries.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
    }
}
