namespace OrleansFaas.Abstractions.Model;

/// <summary>The stored definition of a function's $LATEST version.</summary>
[GenerateSerializer, Immutable, Alias("faas.FunctionDefinition")]
public sealed record FunctionDefinition
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public string Runtime { get; init; } = FunctionLimits.DefaultRuntime;
    [Id(2)] public required string Handler { get; init; }
    [Id(3)] public int MemoryMb { get; init; } = FunctionLimits.DefaultMemoryMb;
    [Id(4)] public int TimeoutSeconds { get; init; } = FunctionLimits.DefaultTimeoutSeconds;
    [Id(5)] public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
    [Id(6)] public required string CodeSha256 { get; init; }
    [Id(7)] public long CodeSize { get; init; }
    /// <summary>Changes on every update; instances started for an older revision are never reused.</summary>
    [Id(8)] public required string RevisionId { get; init; }
    [Id(9)] public DateTimeOffset LastModified { get; init; }
    [Id(10)] public string Version { get; init; } = "$LATEST";
    /// <summary>A cap and a guarantee on concurrent instances; null draws from the unreserved pool.</summary>
    [Id(11)] public int? ReservedConcurrency { get; init; }
    /// <summary>Instances kept loaded and warm at all times; never reaped by keep-alive.</summary>
    [Id(12)] public int ProvisionedConcurrency { get; init; }
    /// <summary>Async invocation: retries after a function error (0..2).</summary>
    [Id(30)] public int MaximumRetryAttempts { get; init; } = FunctionLimits.DefaultMaximumRetryAttempts;
    /// <summary>Async invocation: an event older than this is no longer run but sent to <see cref="OnFailure"/>.</summary>
    [Id(31)] public int MaximumEventAgeSeconds { get; init; } = FunctionLimits.DefaultMaximumEventAgeSeconds;
    /// <summary>Async invocation: where a failed event's record goes: a function name, <see cref="FunctionLimits.DeadLetter"/>, or null.</summary>
    [Id(32)] public string? OnFailure { get; init; }
    /// <summary>Async invocation: a function that receives the record of each successful event, or null.</summary>
    [Id(33)] public string? OnSuccess { get; init; }
}

/// <summary>What a create carries: the definition's settings plus the zipped code.</summary>
[GenerateSerializer, Immutable, Alias("faas.CreateFunction")]
public sealed record CreateFunction
{
    [Id(0)] public string Runtime { get; init; } = "";
    [Id(1)] public string Handler { get; init; } = "";
    [Id(2)] public int MemoryMb { get; init; }
    [Id(3)] public int TimeoutSeconds { get; init; }
    [Id(4)] public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
    [Id(5)] public byte[] CodeZip { get; init; } = [];
    [Id(6)] public int? ReservedConcurrency { get; init; }
    [Id(7)] public int ProvisionedConcurrency { get; init; }
    /// <summary>Null means the default (2).</summary>
    [Id(30)] public int? MaximumRetryAttempts { get; init; }
    /// <summary>Null means the default (21600).</summary>
    [Id(31)] public int? MaximumEventAgeSeconds { get; init; }
    /// <summary>Null or empty means no on-failure destination.</summary>
    [Id(32)] public string? OnFailure { get; init; }
    /// <summary>Null or empty means no on-success destination.</summary>
    [Id(33)] public string? OnSuccess { get; init; }
}

/// <summary>An update: every null member keeps its current value. Environment, when set, replaces the whole map.</summary>
[GenerateSerializer, Immutable, Alias("faas.UpdateFunction")]
public sealed record UpdateFunction
{
    [Id(0)] public string? Runtime { get; init; }
    [Id(1)] public string? Handler { get; init; }
    [Id(2)] public int? MemoryMb { get; init; }
    [Id(3)] public int? TimeoutSeconds { get; init; }
    [Id(4)] public IReadOnlyDictionary<string, string>? Environment { get; init; }
    [Id(5)] public byte[]? CodeZip { get; init; }
    [Id(6)] public int? ReservedConcurrency { get; init; }
    /// <summary>Removes the reservation (the function draws from the unreserved pool again).</summary>
    [Id(7)] public bool ClearReservedConcurrency { get; init; }
    [Id(8)] public int? ProvisionedConcurrency { get; init; }
    [Id(30)] public int? MaximumRetryAttempts { get; init; }
    [Id(31)] public int? MaximumEventAgeSeconds { get; init; }
    /// <summary>Null keeps the destination; empty removes it.</summary>
    [Id(32)] public string? OnFailure { get; init; }
    /// <summary>Null keeps the destination; empty removes it.</summary>
    [Id(33)] public string? OnSuccess { get; init; }
}

/// <summary>One page of function names, in name order.</summary>
[GenerateSerializer, Immutable, Alias("faas.FunctionPage")]
public sealed record FunctionPage(
    [property: Id(0)] IReadOnlyList<string> Names,
    [property: Id(1)] string? NextMarker);
