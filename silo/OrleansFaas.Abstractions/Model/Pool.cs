namespace OrleansFaas.Abstractions.Model;

/// <summary>The pool's answer to an acquire: run on this (warm) instance, or start it (cold).</summary>
[GenerateSerializer, Immutable, Alias("faas.InstanceLease")]
public sealed record InstanceLease(
    [property: Id(0)] string InstanceId,
    [property: Id(1)] bool Cold,
    [property: Id(2)] FunctionDefinition Definition);

/// <summary>One worker instance of a function as its silo reports it to the pool's sweep.</summary>
[GenerateSerializer, Immutable, Alias("faas.InstanceReport")]
public sealed record InstanceReport(
    [property: Id(0)] string InstanceId,
    [property: Id(1)] string RevisionId,
    [property: Id(2)] bool Busy,
    [property: Id(3)] TimeSpan IdleFor);

/// <summary>A read-only view of a pool, for tests and tools.</summary>
[GenerateSerializer, Immutable, Alias("faas.PoolSnapshot")]
public sealed record PoolSnapshot(
    [property: Id(0)] IReadOnlyList<InstanceView> Instances);

[GenerateSerializer, Immutable, Alias("faas.InstanceView")]
public sealed record InstanceView(
    [property: Id(0)] string InstanceId,
    [property: Id(1)] string Silo,
    [property: Id(2)] bool Busy,
    [property: Id(3)] string RevisionId);

/// <summary>Lambda's throttling reasons.</summary>
public static class ThrottleReasons
{
    public const string ReservedFunction = "ReservedFunctionConcurrentInvocationLimitExceeded";
    public const string Account = "ConcurrentInvocationLimitExceeded";
}

/// <summary>The account's answer to a slot request: granted, or the throttling reason and its limit.</summary>
[GenerateSerializer, Immutable, Alias("faas.SlotGrant")]
public sealed record SlotGrant(
    [property: Id(0)] bool Granted,
    [property: Id(1)] string Reason,
    [property: Id(2)] int Limit)
{
    public static readonly SlotGrant Yes = new(true, "", 0);

    public FaasException ToException(string function) => new(FaasErrorCode.ResourceExhausted, Reason == ThrottleReasons.ReservedFunction
        ? $"Rate Exceeded. ({Reason}: function {function} has a reserved concurrency of {Limit})"
        : $"Rate Exceeded. ({Reason}: the account's concurrency limit of {Limit} is reached)");
}

[GenerateSerializer, Immutable, Alias("faas.AccountUsage")]
public sealed record AccountUsage(
    [property: Id(0)] int Limit,
    [property: Id(1)] int UnreservedLimit,
    [property: Id(2)] int InUse,
    [property: Id(3)] IReadOnlyDictionary<string, int> InUseByFunction);
