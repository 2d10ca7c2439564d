namespace OrleansFaas.Abstractions.Model;

/// <summary>What became of one invocation, as its activation record says.</summary>
public static class ActivationStatus
{
    public const string Success = "success";
    public const string Error = "error";
    public const string Timeout = "timeout";

    public static string Of(FunctionErrorInfo? error) => error switch
    {
        null => Success,
        { ErrorType: "Sandbox.Timedout" } => Timeout,
        _ => Error,
    };
}

/// <summary>One invocation's log text (START … END … REPORT), as stored in its function's log.</summary>
[GenerateSerializer, Immutable, Alias("faas.LogEntry")]
public sealed record LogEntry(
    [property: Id(0)] long TimestampUnixMs,
    [property: Id(1)] string RequestId,
    [property: Id(2)] string Text);

/// <summary>One page of a function's log, oldest first, and the cursor to continue after it.</summary>
[GenerateSerializer, Immutable, Alias("faas.LogPage")]
public sealed record LogPage(
    [property: Id(0)] IReadOnlyList<LogEntry> Entries,
    [property: Id(1)] string Cursor);

/// <summary>
/// A read of a function's log. With <see cref="AfterCursor"/>: the entries stored after it (following).
/// Without: the newest <see cref="Limit"/> entries stored at or after <see cref="SinceUnixMs"/> (0: any time).
/// </summary>
[GenerateSerializer, Immutable, Alias("faas.LogQuery")]
public sealed record LogQuery(
    [property: Id(0)] long SinceUnixMs,
    [property: Id(1)] int Limit,
    [property: Id(2)] string? AfterCursor)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 10_000;

    public int EffectiveLimit => Limit <= 0 ? DefaultLimit : Math.Min(Limit, MaxLimit);
}

/// <summary>The record every invocation leaves: how it ran, where, and how it ended.</summary>
[GenerateSerializer, Immutable, Alias("faas.ActivationRecord")]
public sealed record ActivationRecord
{
    public const int DefaultListLimit = 20;
    public const int MaxListLimit = 10_000;

    [Id(0)] public required string RequestId { get; init; }
    [Id(1)] public DateTimeOffset Start { get; init; }
    [Id(2)] public double DurationMs { get; init; }
    [Id(3)] public long BilledMs { get; init; }
    [Id(4)] public int MemoryMb { get; init; }
    [Id(5)] public int MaxMemoryUsedMb { get; init; }
    /// <summary>&gt; 0 only on a cold start.</summary>
    [Id(6)] public double InitDurationMs { get; init; }
    [Id(7)] public bool ColdStart { get; init; }
    /// <summary>One of <see cref="ActivationStatus"/>.</summary>
    [Id(8)] public string Status { get; init; } = ActivationStatus.Success;
    /// <summary>The function error's type; empty on success.</summary>
    [Id(9)] public string ErrorType { get; init; } = "";
    [Id(10)] public string Silo { get; init; } = "";
    [Id(11)] public string InstanceId { get; init; } = "";
}
