using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansFaas.Grains.Async;

/// <summary>
/// One accepted Event invocation as it sits in the async queue. Every attempt runs with the same
/// <see cref="RequestId"/>; a retry is a new copy with the counters moved on, queued before the old one is acked.
/// </summary>
public sealed record AsyncEvent
{
    public required string RequestId { get; init; }
    public required string FunctionName { get; init; }
    /// <summary>The event as JSON text (checked when accepted).</summary>
    public required string Payload { get; init; }
    public string ClientContext { get; init; } = "";
    /// <summary>When the event was accepted; its age (for MaximumEventAgeSeconds) counts from here.</summary>
    public required DateTimeOffset EnqueuedAt { get; init; }
    /// <summary>How many times the handler ran for it (Lambda's approximateInvokeCount).</summary>
    public int InvokeCount { get; init; }
    /// <summary>Attempts that were throttled or found the platform unavailable; they consume no retry.</summary>
    public int Throttles { get; init; }
    /// <summary>The last function error as Lambda's error JSON, for a record written after the age limit.</summary>
    public string? LastError { get; init; }

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    public static AsyncEvent FromJson(string json) =>
        JsonSerializer.Deserialize<AsyncEvent>(json, Options) ?? throw new JsonException("empty async event");
}

/// <summary>An event read from the queue: the queue's own id for it (to ack it) and the event.</summary>
public sealed record QueuedEvent(string Id, AsyncEvent Event);

/// <summary>
/// What becomes of an event once its attempt has an outcome. The queue applies it atomically together with
/// the ack, so an event is always in exactly one place: ready, delayed, forwarded, dead-lettered, or done.
/// </summary>
public sealed record Settlement
{
    public static readonly Settlement Done = new();

    /// <summary>The event's next attempt, ready at <see cref="RetryAt"/>.</summary>
    public AsyncEvent? Retry { get; init; }
    public DateTimeOffset RetryAt { get; init; }
    /// <summary>A new event for a destination function, ready at once.</summary>
    public AsyncEvent? Forward { get; init; }
    /// <summary>An entry for <see cref="DeadLetterFunction"/>'s dead-letter list.</summary>
    public Abstractions.Model.DeadLetterEntry? DeadLetter { get; init; }
    public string DeadLetterFunction { get; init; } = "";
}
