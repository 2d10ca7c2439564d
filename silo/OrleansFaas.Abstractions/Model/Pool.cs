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
