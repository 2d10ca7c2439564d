using OrleansFaas.Abstractions.Model;

namespace OrleansFaas.Grains.Async;

/// <summary>
/// The durable queue of Event invocations shared by the silos, with delayed retries and dead-letter lists.
/// Delivery is at least once: an event read by a consumer stays pending until <see cref="SettleAsync"/> acks it,
/// and a consumer that dies leaves it to be claimed by another (<see cref="ClaimAbandonedAsync"/>).
/// </summary>
public interface IAsyncQueue
{
    /// <summary>Returns once the event is durable.</summary>
    Task EnqueueAsync(AsyncEvent asyncEvent);

    /// <summary>Up to <paramref name="max"/> new events for this silo, waiting at most <paramref name="wait"/> for one.</summary>
    Task<IReadOnlyList<QueuedEvent>> ReadAsync(int max, TimeSpan wait, CancellationToken cancellationToken);

    /// <summary>Events left pending by a consumer that has not heart-beaten them for the claim idle time, now this silo's.</summary>
    Task<IReadOnlyList<QueuedEvent>> ClaimAbandonedAsync(int max);

    /// <summary>Marks events this silo is still running as alive, so that no other silo claims them.</summary>
    Task KeepAliveAsync(IReadOnlyCollection<string> ids);

    /// <summary>Moves delayed events due by <paramref name="now"/> to the ready queue; the number moved.</summary>
    Task<int> PromoteDueAsync(DateTimeOffset now);

    /// <summary>Applies the settlement and acks the event, atomically.</summary>
    Task SettleAsync(QueuedEvent queued, Settlement settlement);

    /// <summary>The newest <paramref name="max"/> dead letters of a function, oldest first.</summary>
    Task<IReadOnlyList<DeadLetterEntry>> ListDeadLettersAsync(string functionName, int max);
}
