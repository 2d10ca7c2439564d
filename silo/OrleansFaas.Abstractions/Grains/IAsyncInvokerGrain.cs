using OrleansFaas.Abstractions.Model;

namespace OrleansFaas.Abstractions.Grains;

/// <summary>
/// The per-silo entry point of an Event (asynchronous) invocation: checks that the function exists and the
/// payload fits, persists the event in the durable async queue and answers with its request id. The silos'
/// async consumers run it later through <see cref="IInvokerGrain"/>, with retries and destinations.
/// </summary>
[Alias("faas.IAsyncInvokerGrain")]
public interface IAsyncInvokerGrain : IGrainWithIntegerKey
{
    /// <summary>The request id; returns only once the event is durable. NotFound, ResourceExhausted over the limit.</summary>
    [Alias("Enqueue")]
    Task<string> Enqueue(AsyncInvocationRequest request);

    /// <summary>The newest <paramref name="maxItems"/> entries of the function's dead-letter list, oldest first.</summary>
    [Alias("ListDeadLetters")]
    Task<IReadOnlyList<DeadLetterEntry>> ListDeadLetters(string functionName, int maxItems);
}
