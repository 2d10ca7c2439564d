using System.Threading.Channels;
using OrleansFaas.Abstractions.Model;

namespace OrleansFaas.Grains.Async;

/// <summary>
/// Dev mode: the queue lives in this one process (as every other store in dev mode). One consumer, so nothing
/// is ever abandoned by another silo; an event read but not settled stays in <see cref="_pending"/>.
/// </summary>
public sealed class MemoryAsyncQueue : IAsyncQueue
{
    private readonly Channel<QueuedEvent> _ready = Channel.CreateUnbounded<QueuedEvent>();
    private readonly PriorityQueue<AsyncEvent, DateTimeOffset> _delayed = new();
    private readonly Dictionary<string, List<DeadLetterEntry>> _deadLetters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, QueuedEvent> _pending = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _nextId;

    public Task EnqueueAsync(AsyncEvent asyncEvent)
    {
        Add(asyncEvent);
        return Task.CompletedTask;
    }

    private void Add(AsyncEvent asyncEvent) =>
        _ready.Writer.TryWrite(new QueuedEvent(Interlocked.Increment(ref _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture), asyncEvent));

    public async Task<IReadOnlyList<QueuedEvent>> ReadAsync(int max, TimeSpan wait, CancellationToken cancellationToken)
    {
        var events = new List<QueuedEvent>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait);
        try
        {
            await _ready.Reader.WaitToReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return events;
        }
        while (events.Count < max && _ready.Reader.TryRead(out var queued))
        {
            events.Add(queued);
        }
        lock (_lock)
        {
            foreach (var queued in events)
            {
                _pending[queued.Id] = queued;
            }
        }
        return events;
    }

    public Task<IReadOnlyList<QueuedEvent>> ClaimAbandonedAsync(int max) => Task.FromResult<IReadOnlyList<QueuedEvent>>([]);

    public Task KeepAliveAsync(IReadOnlyCollection<string> ids) => Task.CompletedTask;

    public Task<int> PromoteDueAsync(DateTimeOffset now)
    {
        var due = new List<AsyncEvent>();
        lock (_lock)
        {
            while (_delayed.TryPeek(out var asyncEvent, out var at) && at <= now)
            {
                _delayed.Dequeue();
                due.Add(asyncEvent);
            }
        }
        foreach (var asyncEvent in due)
        {
            Add(asyncEvent);
        }
        return Task.FromResult(due.Count);
    }

    public Task SettleAsync(QueuedEvent queued, Settlement settlement)
    {
        lock (_lock)
        {
            if (settlement.Retry is { } retry)
            {
                _delayed.Enqueue(retry, settlement.RetryAt);
            }
            if (settlement.DeadLetter is { } deadLetter)
            {
                if (!_deadLetters.TryGetValue(settlement.DeadLetterFunction, out var list))
                {
                    _deadLetters[settlement.DeadLetterFunction] = list = [];
                }
                list.Add(deadLetter);
            }
            _pending.Remove(queued.Id);
        }
        if (settlement.Forward is { } forward)
        {
            Add(forward);
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<DeadLetterEntry>> ListDeadLettersAsync(string functionName, int max)
    {
        lock (_lock)
        {
            IReadOnlyList<DeadLetterEntry> entries = _deadLetters.TryGetValue(functionName, out var list)
                ? list.Skip(Math.Max(0, list.Count - max)).ToList()
                : [];
            return Task.FromResult(entries);
        }
    }
}
