using System.Text;
using Orleans.Concurrency;
using OrleansFaas.Abstractions.Grains;
using OrleansFaas.Abstractions.Model;
using OrleansFaas.Grains.Hosting;

namespace OrleansFaas.Grains.Async;

/// <summary>Accepts Event invocations on the silo that took the call: checks them and makes them durable.</summary>
[StatelessWorker]
public sealed class AsyncInvokerGrain(IAsyncQueue queue, AsyncSettings settings, TimeProvider clock) : Grain, IAsyncInvokerGrain
{
    private const int DefaultDeadLetters = 100;
    private const int MaxDeadLetters = 1000;

    public async Task<string> Enqueue(AsyncInvocationRequest request)
    {
        FunctionLimits.ValidateName(request.FunctionName);
        FunctionLimits.CheckAsyncPayloadSize(request.Payload.Length, settings.MaxPayloadBytes);
        if (await GrainFactory.GetGrain<IFunctionGrain>(request.FunctionName).Get() is null)
        {
            throw FaasException.FunctionNotFound(request.FunctionName);
        }
        var requestId = Guid.NewGuid().ToString();
        await queue.EnqueueAsync(new AsyncEvent
        {
            RequestId = requestId,
            FunctionName = request.FunctionName,
            Payload = request.Payload.Length == 0 ? "{}" : Encoding.UTF8.GetString(request.Payload),
            ClientContext = request.ClientContext,
            EnqueuedAt = clock.GetUtcNow(),
        });
        return requestId;
    }

    public async Task<IReadOnlyList<DeadLetterEntry>> ListDeadLetters(string functionName, int maxItems)
    {
        FunctionLimits.ValidateName(functionName);
        var entries = await queue.ListDeadLettersAsync(functionName, maxItems <= 0 ? DefaultDeadLetters : Math.Min(maxItems, MaxDeadLetters));
        // Dead letters outlive their function; an unknown function with none is NotFound.
        if (entries.Count == 0 && await GrainFactory.GetGrain<IFunctionGrain>(functionName).Get() is null)
        {
            throw FaasException.FunctionNotFound(functionName);
        }
        return entries;
    }
}
