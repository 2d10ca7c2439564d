using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansFaas.Abstractions.Grains;
using OrleansFaas.Abstractions.Model;
using OrleansFaas.Grains.Hosting;

namespace OrleansFaas.Grains.Async;

/// <summary>
/// This silo's consumer of the async queue: runs each event through the normal invocation path (the local
/// <see cref="IInvokerGrain"/>, same request id on every attempt), then settles it — retry later, forward a
/// destination record, dead-letter it, or done — and only then acks it. Besides reading it promotes due
/// retries, heart-beats the events it is running, and claims those abandoned by a silo that died.
/// </summary>
public sealed class AsyncEventConsumer(
    IAsyncQueue queue, IGrainFactory grains, AsyncSettings settings, TimeProvider clock, ILogger<AsyncEventConsumer> logger)
    : BackgroundService
{
    private const int InvokerKeys = 64;
    private static readonly TimeSpan ReadWait = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, QueuedEvent> _inFlight = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _slots = new(settings.Concurrency, settings.Concurrency);
    private int _nextInvoker;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        // Heart-beats go on while the events in flight drain after a stop.
        using var keepAliveStop = new CancellationTokenSource();
        var keepAlive = RunPeriodicAsync("keep-alive", settings.ClaimIdle / 3, KeepAliveAsync, keepAliveStop.Token);
        await Task.WhenAll(
            ReadLoopAsync(stoppingToken),
            RunPeriodicAsync("promote", settings.PromoteInterval, PromoteAsync, stoppingToken),
            RunPeriodicAsync("claim", settings.ClaimIdle / 2, ClaimAsync, stoppingToken));
        // What does not finish here stays pending in the queue and is claimed by another silo.
        var deadline = DateTime.UtcNow + DrainTimeout;
        while (!_inFlight.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, CancellationToken.None);
        }
        await keepAliveStop.CancelAsync();
        await keepAlive;
    }

    public override void Dispose()
    {
        _slots.Dispose();
        base.Dispose();
    }

    private async Task ReadLoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _slots.WaitAsync(stoppingToken);
                var free = 1 + TakeFreeSlots(settings.Concurrency - 1);
                IReadOnlyList<QueuedEvent> events;
                try
                {
                    events = await queue.ReadAsync(free, ReadWait, stoppingToken);
                }
                catch
                {
                    _slots.Release(free);
                    throw;
                }
                ReleaseUnused(free, events.Count);
                foreach (var queued in events)
                {
                    Start(queued);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Reading the async queue failed; retrying");
                await DelayAsync(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    /// <summary>
    /// Claims abandoned events and runs them as slots free up. Claimed events count as in flight at once (so they
    /// are heart-beaten) even while they wait for a slot: the read loop holds the free slots while it blocks.
    /// </summary>
    private async Task ClaimAsync()
    {
        var claimed = await queue.ClaimAbandonedAsync(settings.Concurrency);
        foreach (var queued in claimed)
        {
            if (!_inFlight.TryAdd(queued.Id, queued))
            {
                continue; // claimed back while this silo still runs it
            }
            await _slots.WaitAsync();
            Run(queued);
        }
    }

    private Task KeepAliveAsync() => queue.KeepAliveAsync([.. _inFlight.Keys]);

    private Task PromoteAsync() => queue.PromoteDueAsync(clock.GetUtcNow());

    private int TakeFreeSlots(int max)
    {
        var taken = 0;
        while (taken < max && _slots.Wait(0))
        {
            taken++;
        }
        return taken;
    }

    private void ReleaseUnused(int taken, int used)
    {
        if (taken > used)
        {
            _slots.Release(taken - used);
        }
    }

    /// <summary>Runs one event read by this silo; it holds one slot.</summary>
    private void Start(QueuedEvent queued)
    {
        if (!_inFlight.TryAdd(queued.Id, queued))
        {
            _slots.Release();
            return;
        }
        Run(queued);
    }

    /// <summary>Runs an in-flight event on the thread pool; releases its slot once it is settled.</summary>
    private void Run(QueuedEvent queued) =>
        _ = Task.Run(async () =>
        {
            try
            {
                await ProcessAsync(queued);
            }
            finally
            {
                _inFlight.TryRemove(queued.Id, out _);
                _slots.Release();
            }
        });

    private async Task ProcessAsync(QueuedEvent queued)
    {
        var asyncEvent = queued.Event;
        Settlement settlement;
        try
        {
            settlement = await RunAsync(asyncEvent);
        }
        catch (Exception e)
        {
            // The outcome is unknown (e.g. the function's grain was unreachable): try again later like a throttle.
            logger.LogWarning(e, "Async event {RequestId} of {Function} could not be run; retrying later", asyncEvent.RequestId, asyncEvent.FunctionName);
            var retry = asyncEvent with { Throttles = asyncEvent.Throttles + 1 };
            settlement = new Settlement { Retry = retry, RetryAt = clock.GetUtcNow() + AsyncPolicy.ThrottleDelay(settings, retry.Throttles) };
        }
        try
        {
            await queue.SettleAsync(queued, settlement);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Settling async event {RequestId} of {Function} failed; it stays pending and will be claimed again",
                asyncEvent.RequestId, asyncEvent.FunctionName);
        }
    }

    /// <summary>One attempt and what follows from it.</summary>
    private async Task<Settlement> RunAsync(AsyncEvent asyncEvent)
    {
        var definition = await grains.GetGrain<IFunctionGrain>(asyncEvent.FunctionName).Get();
        if (definition is null)
        {
            return FunctionGone(asyncEvent);
        }
        if (AsyncPolicy.IsTooOld(asyncEvent, definition, clock.GetUtcNow()))
        {
            return await FailAsync(asyncEvent, definition, DestinationConditions.EventAgeExceeded);
        }

        AttemptOutcome outcome;
        InvocationResult? result = null;
        string? error = null;
        try
        {
            var key = (uint)Interlocked.Increment(ref _nextInvoker) % InvokerKeys;
            result = await grains.GetGrain<IInvokerGrain>(key).Invoke(
                new InvocationRequest(asyncEvent.FunctionName, asyncEvent.RequestId, Encoding.UTF8.GetBytes(asyncEvent.Payload), asyncEvent.ClientContext)
                {
                    Attempt = asyncEvent.InvokeCount + 1,
                });
            outcome = result.Error is null ? AttemptOutcome.Succeeded : AttemptOutcome.FunctionError;
            if (result.Error is { } functionError)
            {
                error = DestinationRecord.ErrorJson(functionError, asyncEvent.RequestId);
            }
        }
        catch (FaasException e) when (e.Code is FaasErrorCode.NotFound)
        {
            return FunctionGone(asyncEvent); // deleted since it was read
        }
        catch (Exception e) when (IsThrottleOrUnavailable(e))
        {
            logger.LogInformation("Async event {RequestId} of {Function} was throttled or found no capacity: {Reason}",
                asyncEvent.RequestId, asyncEvent.FunctionName, e.Message);
            outcome = AttemptOutcome.Throttled;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A platform failure during the run (e.g. a response timeout): it may have run, so it costs a retry.
            logger.LogWarning(e, "Async event {RequestId} of {Function} failed in the platform", asyncEvent.RequestId, asyncEvent.FunctionName);
            outcome = AttemptOutcome.FunctionError;
            error = DestinationRecord.ErrorJson(new FunctionErrorInfo("Runtime.PlatformError", e.Message, []), asyncEvent.RequestId);
        }

        var after = asyncEvent with
        {
            InvokeCount = outcome == AttemptOutcome.Throttled ? asyncEvent.InvokeCount : asyncEvent.InvokeCount + 1,
            Throttles = outcome == AttemptOutcome.Throttled ? asyncEvent.Throttles + 1 : asyncEvent.Throttles,
            LastError = error ?? asyncEvent.LastError,
        };
        var decision = AsyncPolicy.Decide(after, definition, outcome, clock.GetUtcNow(), settings);
        switch (decision.Kind)
        {
            case AsyncDecisionKind.Retry:
                return new Settlement { Retry = after, RetryAt = clock.GetUtcNow() + decision.Delay };
            case AsyncDecisionKind.Succeeded:
                if (definition.OnSuccess is not { } onSuccess)
                {
                    return Settlement.Done;
                }
                var response = result is null ? "null" : Encoding.UTF8.GetString(result.Payload);
                var record = DestinationRecord.Build(after, DestinationConditions.Success, clock.GetUtcNow(), response, functionError: false);
                return await ForwardAsync(after, onSuccess, record, DestinationConditions.Success);
            default:
                return await FailAsync(after, definition, decision.Condition!);
        }
    }

    private async Task<Settlement> FailAsync(AsyncEvent asyncEvent, FunctionDefinition definition, string condition)
    {
        var now = clock.GetUtcNow();
        var record = DestinationRecord.Build(asyncEvent, condition, now, asyncEvent.LastError, functionError: asyncEvent.LastError is not null);
        switch (definition.OnFailure)
        {
            case null:
                // Lambda discards it; say so, with everything needed to find it again.
                logger.LogWarning("Async event {RequestId} of {Function} discarded ({Condition}, no on-failure destination): {Record}",
                    asyncEvent.RequestId, asyncEvent.FunctionName, condition, record);
                return Settlement.Done;
            case FunctionLimits.DeadLetter:
                return DeadLetter(asyncEvent, asyncEvent.FunctionName, condition, record, now);
            default:
                return await ForwardAsync(asyncEvent, definition.OnFailure, record, condition);
        }
    }

    /// <summary>A destination function receives the record as a new async event; a missing one sends it to the dead letters.</summary>
    private async Task<Settlement> ForwardAsync(AsyncEvent asyncEvent, string destination, string record, string condition)
    {
        var now = clock.GetUtcNow();
        if (await grains.GetGrain<IFunctionGrain>(destination).Get() is null)
        {
            logger.LogWarning("Destination {Destination} of {Function} does not exist: event {RequestId} ({Condition}) goes to {Function}'s dead letters",
                destination, asyncEvent.FunctionName, asyncEvent.RequestId, condition, asyncEvent.FunctionName);
            return DeadLetter(asyncEvent, asyncEvent.FunctionName, condition, record, now);
        }
        return new Settlement
        {
            Forward = new AsyncEvent
            {
                RequestId = Guid.NewGuid().ToString(),
                FunctionName = destination,
                Payload = record,
                EnqueuedAt = now,
            },
        };
    }

    private Settlement FunctionGone(AsyncEvent asyncEvent)
    {
        var now = clock.GetUtcNow();
        logger.LogWarning("Async event {RequestId}: function {Function} no longer exists; the event goes to its dead letters",
            asyncEvent.RequestId, asyncEvent.FunctionName);
        var record = DestinationRecord.Build(asyncEvent, DestinationConditions.FunctionNotFound, now, asyncEvent.LastError, asyncEvent.LastError is not null);
        return DeadLetter(asyncEvent, asyncEvent.FunctionName, DestinationConditions.FunctionNotFound, record, now);
    }

    private static Settlement DeadLetter(AsyncEvent asyncEvent, string function, string condition, string record, DateTimeOffset now) => new()
    {
        DeadLetter = new DeadLetterEntry(asyncEvent.RequestId, condition, now, asyncEvent.InvokeCount, record),
        DeadLetterFunction = function,
    };

    private static bool IsThrottleOrUnavailable(Exception e) => e switch
    {
        FaasException f => f.Code is FaasErrorCode.ResourceExhausted or FaasErrorCode.Unavailable,
        SiloUnavailableException or OrleansMessageRejectionException or Orleans.Runtime.Messaging.ConnectionFailedException => true,
        _ => false,
    };

    private async Task RunPeriodicAsync(string name, TimeSpan period, Func<Task> work, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    await work();
                }
                catch (Exception e)
                {
                    logger.LogWarning(e, "Async queue {Task} failed; retrying next period", name);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
