using System.Collections.Concurrent;
using OrleansFaas.Abstractions.Grains;
using OrleansFaas.Abstractions.Model;

namespace OrleansFaas.Gateway.Services;

/// <summary>
/// Bounds how long the gateway waits for a synchronous invocation: the function's timeout plus its init and a
/// margin. Orleans does not fail a call whose silo was SIGKILLed until its (long) response timeout, so without
/// this bound a caller would hang; with it the caller gets DeadlineExceeded soon after the function's own
/// deadline. Timeouts are cached per function for a few seconds, so the hot path makes no extra call.
/// </summary>
public sealed class InvocationDeadlines(IGrainFactory grains)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(15); // init (up to 10 s) and the trip back

    private readonly ConcurrentDictionary<string, (TimeSpan Limit, long Expires)> _limits = new(StringComparer.Ordinal);

    public async Task<InvocationResult> WaitAsync(string function, Task<InvocationResult> invocation)
    {
        var limit = await LimitAsync(function);
        try
        {
            return await invocation.WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            throw new FaasException(FaasErrorCode.DeadlineExceeded,
                $"No answer from the silo running {function} within its timeout plus {Margin.TotalSeconds:0} s: the silo may have stopped; the invocation's outcome is unknown.");
        }
    }

    private async ValueTask<TimeSpan> LimitAsync(string function)
    {
        if (_limits.TryGetValue(function, out var cached) && cached.Expires > Environment.TickCount64)
        {
            return cached.Limit;
        }
        var definition = await grains.GetGrain<IFunctionGrain>(function).Get();
        var limit = TimeSpan.FromSeconds(definition?.TimeoutSeconds ?? FunctionLimits.MaxTimeoutSeconds) + Margin;
        _limits[function] = (limit, Environment.TickCount64 + (long)CacheFor.TotalMilliseconds);
        return limit;
    }
}
