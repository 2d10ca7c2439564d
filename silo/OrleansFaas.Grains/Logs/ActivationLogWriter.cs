using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansFaas.Abstractions.Model;
using OrleansFaas.Grains.Hosting;

namespace OrleansFaas.Grains.Logs;

/// <summary>
/// The silo's one writer of invocation logs and activation records, off the hot path: an invoker formats the
/// log text and hands it over with <see cref="Enqueue"/> (no await, no I/O); a background loop drains the
/// bounded channel in batches into the <see cref="IActivationLog"/> (one pipelined round trip per batch in
/// cluster mode). Logs therefore trail the response by a few milliseconds. Nothing is dropped silently: a full
/// channel, or a store that keeps failing, drops with a warning that counts what was lost. On shutdown the
/// channel is closed and what it holds is written.
/// </summary>
public sealed partial class ActivationLogWriter(IActivationLog store, LogSettings settings, TimeProvider clock, ILogger<ActivationLogWriter> logger)
    : BackgroundService
{
    private const int MaxBatch = 256;
    private const int WriteAttempts = 3;

    private readonly Channel<InvocationLog> _channel = Channel.CreateBounded<InvocationLog>(
        new BoundedChannelOptions(settings.BufferCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private long _dropped;
    private long _lastDropWarning;

    /// <summary>
    /// Formats one invocation's log text, queues it with its activation record, and returns the text's tail
    /// when <paramref name="tail"/> is asked for (else ""). Never blocks.
    /// </summary>
    public string Write(string function, string requestId, string version, DateTimeOffset start, string handlerLogs,
        double durationMs, long billedMs, int memoryMb, int maxMemoryUsedMb, bool cold, double initDurationMs,
        FunctionErrorInfo? error, string silo, string instanceId, bool tail)
    {
        var text = InvocationLogFormat.Format(requestId, version, handlerLogs, durationMs, billedMs, memoryMb, maxMemoryUsedMb,
            cold ? initDurationMs : null);
        Enqueue(new InvocationLog(function,
            new LogEntry(clock.GetUtcNow().ToUnixTimeMilliseconds(), requestId, text),
            new ActivationRecord
            {
                RequestId = requestId,
                Start = start,
                DurationMs = durationMs,
                BilledMs = billedMs,
                MemoryMb = memoryMb,
                MaxMemoryUsedMb = maxMemoryUsedMb,
                InitDurationMs = cold ? initDurationMs : 0,
                ColdStart = cold,
                Status = ActivationStatus.Of(error),
                ErrorType = error?.ErrorType ?? "",
                Silo = silo,
                InstanceId = instanceId,
            }));
        return tail ? InvocationLogFormat.Tail(text) : "";
    }

    public void Enqueue(InvocationLog log)
    {
        if (!_channel.Writer.TryWrite(log))
        {
            Dropped(1, "the log buffer is full (or the silo is stopping)");
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _channel.Reader;
        var batch = new List<InvocationLog>(MaxBatch);
        // Not cancelled by stoppingToken: StopAsync completes the channel, and the loop ends once it is drained.
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < MaxBatch && reader.TryRead(out var item))
            {
                batch.Add(item);
            }
            await WriteAsync(batch);
            batch.Clear();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _channel.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    private async Task WriteAsync(List<InvocationLog> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await store.AppendAsync(batch);
                return;
            }
            catch (Exception e) when (attempt < WriteAttempts)
            {
                LogRetry(logger, e, batch.Count, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
            }
            catch (Exception e)
            {
                LogWriteFailed(logger, e, batch.Count, attempt);
                Dropped(batch.Count, "the store failed");
                return;
            }
        }
    }

    private void Dropped(int count, string reason)
    {
        var total = Interlocked.Add(ref _dropped, count);
        // At most one warning a second, each with the running total: a flood of drops must not flood the log.
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastDropWarning);
        if (now - last >= 1000 && Interlocked.CompareExchange(ref _lastDropWarning, now, last) == last)
        {
            LogDropped(logger, count, reason, total, settings.BufferCapacity);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Count} invocation logs failed (attempt {Attempt}); retrying")]
    private static partial void LogRetry(ILogger logger, Exception e, int count, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Writing {Count} invocation logs failed after {Attempt} attempts")]
    private static partial void LogWriteFailed(ILogger logger, Exception e, int count, int attempt);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Dropped {Count} invocation log(s) and activation record(s): {Reason}; {Total} dropped since start (buffer {Capacity}, FAAS_LOG_BUFFER)")]
    private static partial void LogDropped(ILogger logger, int count, string reason, long total, int capacity);
}
