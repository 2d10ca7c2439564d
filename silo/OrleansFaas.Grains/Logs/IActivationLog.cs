using OrleansFaas.Abstractions.Model;

namespace OrleansFaas.Grains.Logs;

/// <summary>What one invocation leaves behind: its log entry and its activation record, for one function.</summary>
public sealed record InvocationLog(string Function, LogEntry Entry, ActivationRecord Activation);

/// <summary>
/// Where every function's log entries and activation records are kept: two append-only streams per function,
/// each capped at the newest N entries (FAAS_LOG_RETENTION). Redis Streams in cluster mode
/// (<c>faas:logs:&lt;fn&gt;</c>, <c>faas:activations:&lt;fn&gt;</c>), memory in dev mode. Cursors are stream ids
/// (<c>ms-seq</c>), opaque to callers. Written in batches by <see cref="ActivationLogWriter"/> only.
/// </summary>
public interface IActivationLog
{
    /// <summary>Appends the entries and records of a batch of invocations, in order.</summary>
    Task AppendAsync(IReadOnlyList<InvocationLog> batch);

    /// <summary>A page of one function's log, oldest first (see <see cref="LogQuery"/>).</summary>
    Task<LogPage> ReadLogsAsync(string function, LogQuery query);

    /// <summary>The newest <paramref name="limit"/> activation records of one function, newest first.</summary>
    Task<IReadOnlyList<ActivationRecord>> ListActivationsAsync(string function, int limit);
}

/// <summary>Keys and cursor rules both stores share.</summary>
public static class ActivationLogKeys
{
    public static string Logs(string function) => "faas:logs:" + function;

    public static string Activations(string function) => "faas:activations:" + function;

    /// <summary>
    /// The cursor of a page: the id of its last entry; with no entry, the cursor it was given, else one just
    /// before <c>since</c> — so a follower that starts on an empty log still sees everything stored later.
    /// </summary>
    public static string NextCursor(string? lastId, LogQuery query) =>
        lastId ?? (string.IsNullOrEmpty(query.AfterCursor) ? $"{Math.Max(0, query.SinceUnixMs)}-0" : query.AfterCursor);
}
