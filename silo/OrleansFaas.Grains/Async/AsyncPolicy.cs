using OrleansFaas.Abstractions.Model;
using OrleansFaas.Grains.Hosting;

namespace OrleansFaas.Grains.Async;

/// <summary>How one attempt of an async event ended.</summary>
public enum AttemptOutcome
{
    Succeeded,
    /// <summary>The handler raised, timed out or crashed (or the platform failed the call): consumes a retry.</summary>
    FunctionError,
    /// <summary>Throttled (ResourceExhausted) or Unavailable: retried with backoff without consuming a retry.</summary>
    Throttled,
}

public enum AsyncDecisionKind
{
    /// <summary>Done: to the on-success destination if any.</summary>
    Succeeded,
    /// <summary>Run again after <see cref="AsyncDecision.Delay"/>.</summary>
    Retry,
    /// <summary>Done: to the on-failure destination with <see cref="AsyncDecision.Condition"/>.</summary>
    Failed,
}

public sealed record AsyncDecision(AsyncDecisionKind Kind, TimeSpan Delay = default, string? Condition = null)
{
    public static readonly AsyncDecision Success = new(AsyncDecisionKind.Succeeded, Condition: DestinationConditions.Success);
    public static AsyncDecision Fail(string condition) => new(AsyncDecisionKind.Failed, Condition: condition);
    public static AsyncDecision RetryAfter(TimeSpan delay) => new(AsyncDecisionKind.Retry, delay);
}

/// <summary>Lambda's async retry rules as pure functions over plain data.</summary>
public static class AsyncPolicy
{
    /// <summary>An event older than the function's MaximumEventAgeSeconds is no longer run.</summary>
    public static bool IsTooOld(AsyncEvent asyncEvent, FunctionDefinition definition, DateTimeOffset now) =>
        now - asyncEvent.EnqueuedAt > TimeSpan.FromSeconds(definition.MaximumEventAgeSeconds);

    /// <summary>
    /// What follows an attempt. <paramref name="asyncEvent"/> carries the counters after this attempt: its
    /// <see cref="AsyncEvent.InvokeCount"/> includes a run that ended in a function error, and its
    /// <see cref="AsyncEvent.Throttles"/> a throttled attempt.
    /// </summary>
    public static AsyncDecision Decide(
        AsyncEvent asyncEvent, FunctionDefinition definition, AttemptOutcome outcome, DateTimeOffset now, AsyncSettings settings)
    {
        switch (outcome)
        {
            case AttemptOutcome.Succeeded:
                return AsyncDecision.Success;
            case AttemptOutcome.FunctionError:
                var retriesUsed = asyncEvent.InvokeCount - 1;
                if (retriesUsed >= definition.MaximumRetryAttempts)
                {
                    return AsyncDecision.Fail(DestinationConditions.RetriesExhausted);
                }
                return AsyncDecision.RetryAfter(RetryDelay(settings.RetryDelays, retriesUsed));
            default:
                return IsTooOld(asyncEvent, definition, now)
                    ? AsyncDecision.Fail(DestinationConditions.EventAgeExceeded)
                    : AsyncDecision.RetryAfter(ThrottleDelay(settings, asyncEvent.Throttles));
        }
    }

    /// <summary>The delay before retry <paramref name="retryIndex"/> + 1; the last configured delay repeats.</summary>
    public static TimeSpan RetryDelay(IReadOnlyList<TimeSpan> delays, int retryIndex) =>
        delays[Math.Clamp(retryIndex, 0, delays.Count - 1)];

    /// <summary>Exponential backoff after the n-th throttle (1-based): base, 2×base, 4×base … capped at 5 minutes.</summary>
    public static TimeSpan ThrottleDelay(AsyncSettings settings, int throttles)
    {
        var doublings = Math.Clamp(throttles - 1, 0, 20);
        var ticks = Math.Min(settings.ThrottleBaseDelay.Ticks * (1L << doublings), AsyncSettings.MaxThrottleDelay.Ticks);
        return TimeSpan.FromTicks(ticks);
    }
}
