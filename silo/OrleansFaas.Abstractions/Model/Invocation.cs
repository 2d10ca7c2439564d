namespace OrleansFaas.Abstractions.Model;

/// <summary>A synchronous invocation as the gateway hands it to the cluster.</summary>
[GenerateSerializer, Immutable, Alias("faas.InvocationRequest")]
public sealed record InvocationRequest(
    [property: Id(0)] string FunctionName,
    [property: Id(1)] string RequestId,
    [property: Id(2)] byte[] Payload,
    [property: Id(3)] string ClientContext)
{
    /// <summary>For benchmarks: a cold start forks or spawns its worker instead of taking a stem cell.</summary>
    [Id(10)] public bool BypassStemCells { get; init; }

    /// <summary>Return the tail of this invocation's log text in <see cref="InvocationResult.LogResult"/> (Lambda's LogType=Tail).</summary>
    [Id(20)] public bool LogTail { get; init; }

    /// <summary>
    /// Which attempt of this request id this is (1 for a synchronous invoke; an async event's retries run with the
    /// same request id and 2, 3, …), so usage can be keyed by request id + attempt.
    /// </summary>
    [Id(30)] public int Attempt { get; init; } = 1;
}

/// <summary>A function error in Lambda's shape.</summary>
[GenerateSerializer, Immutable, Alias("faas.FunctionErrorInfo")]
public sealed record FunctionErrorInfo(
    [property: Id(0)] string ErrorType,
    [property: Id(1)] string ErrorMessage,
    [property: Id(2)] IReadOnlyList<string> StackTrace);

/// <summary>What one invocation produced: a payload or a function error, and how it ran.</summary>
[GenerateSerializer, Immutable, Alias("faas.InvocationResult")]
public sealed record InvocationResult
{
    [Id(0)] public required string RequestId { get; init; }
    [Id(1)] public byte[] Payload { get; init; } = [];
    [Id(2)] public FunctionErrorInfo? Error { get; init; }
    [Id(3)] public string Logs { get; init; } = "";
    [Id(4)] public double DurationMs { get; init; }
    [Id(5)] public long BilledMs { get; init; }
    [Id(6)] public double InitDurationMs { get; init; }
    [Id(7)] public bool ColdStart { get; init; }
    [Id(8)] public string Silo { get; init; } = "";
    [Id(9)] public string InstanceId { get; init; } = "";
    [Id(10)] public int MaxMemoryUsedMb { get; init; }
    [Id(11)] public string ExecutedVersion { get; init; } = "$LATEST";
    /// <summary>On a cold start, where the process came from: "stem-cell", "fork" or "spawn".</summary>
    [Id(12)] public string ColdStartSource { get; init; } = "";
    /// <summary>With <see cref="InvocationRequest.LogTail"/>: the last 4 KB of this invocation's log text (START … REPORT).</summary>
    [Id(20)] public string LogResult { get; init; } = "";
}
