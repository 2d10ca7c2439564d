namespace OrleansFaas.Abstractions.Model;

/// <summary>An Event (asynchronous) invocation as the gateway hands it to the cluster: checked, not yet queued.</summary>
[GenerateSerializer, Immutable, Alias("faas.AsyncInvocationRequest")]
public sealed record AsyncInvocationRequest(
    [property: Id(0)] string FunctionName,
    [property: Id(1)] byte[] Payload,
    [property: Id(2)] string ClientContext);

/// <summary>One failed async event kept in its function's dead-letter list: Lambda's destination record and a summary.</summary>
[GenerateSerializer, Immutable, Alias("faas.DeadLetterEntry")]
public sealed record DeadLetterEntry(
    [property: Id(0)] string RequestId,
    [property: Id(1)] string Condition,
    [property: Id(2)] DateTimeOffset Timestamp,
    [property: Id(3)] int ApproximateInvokeCount,
    [property: Id(4)] string Record);

/// <summary>Why an async event went to a destination (Lambda's requestContext.condition).</summary>
public static class DestinationConditions
{
    public const string Success = "Success";
    public const string RetriesExhausted = "RetriesExhausted";
    public const string EventAgeExceeded = "EventAgeExceeded";
    /// <summary>Not a Lambda condition: the function was deleted (or never existed) before the event could run.</summary>
    public const string FunctionNotFound = "FunctionNotFound";
}
