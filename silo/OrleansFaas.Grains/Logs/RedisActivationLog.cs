using System.Globalization;
using OrleansFaas.Abstractions.Model;
using OrleansFaas.Grains.Hosting;
using StackExchange.Redis;

namespace OrleansFaas.Grains.Logs;

/// <summary>
/// Cluster mode: two Redis Streams per function, <c>faas:logs:&lt;fn&gt;</c> and <c>faas:activations:&lt;fn&gt;</c>,
/// each trimmed on every append with <c>XADD … MAXLEN ~ N</c> (N = FAAS_LOG_RETENTION; "~" lets Redis trim
/// whole nodes, so a stream may briefly hold a few more). A batch goes out pipelined: one round trip.
/// </summary>
public sealed class RedisActivationLog(IConnectionMultiplexer redis, LogSettings settings) : IActivationLog
{
    public async Task AppendAsync(IReadOnlyList<InvocationLog> batch)
    {
        var db = redis.GetDatabase();
        var writes = db.CreateBatch();
        var pending = new List<Task>(batch.Count * 2);
        foreach (var item in batch)
        {
            pending.Add(writes.StreamAddAsync(ActivationLogKeys.Logs(item.Function), ToFields(item.Entry),
                maxLength: settings.Retention, useApproximateMaxLength: true));
            pending.Add(writes.StreamAddAsync(ActivationLogKeys.Activations(item.Function), ToFields(item.Activation),
                maxLength: settings.Retention, useApproximateMaxLength: true));
        }
        writes.Execute();
        await Task.WhenAll(pending);
    }

    public async Task<LogPage> ReadLogsAsync(string function, LogQuery query)
    {
        var db = redis.GetDatabase();
        var key = ActivationLogKeys.Logs(function);
        var limit = query.EffectiveLimit;
        StreamEntry[] page;
        if (!string.IsNullOrEmpty(query.AfterCursor))
        {
            ValidateCursor(query.AfterCursor);
            // "(id": exclusive start (Redis 6.2+), oldest first.
            page = await db.StreamRangeAsync(key, "(" + query.AfterCursor, "+", limit, Order.Ascending);
        }
        else
        {
            var since = query.SinceUnixMs > 0 ? query.SinceUnixMs.ToString(CultureInfo.InvariantCulture) : "-";
            page = await db.StreamRangeAsync(key, since, "+", limit, Order.Descending);
            Array.Reverse(page);
        }
        var entries = page.Select(e => new LogEntry(
            (long)e["t"], (string?)e["r"] ?? "", (string?)e["x"] ?? "")).ToList();
        var last = page.Length > 0 ? (string?)page[^1].Id : null;
        return new LogPage(entries, ActivationLogKeys.NextCursor(last, query));
    }

    public async Task<IReadOnlyList<ActivationRecord>> ListActivationsAsync(string function, int limit)
    {
        var page = await redis.GetDatabase().StreamRangeAsync(
            ActivationLogKeys.Activations(function), "-", "+", limit, Order.Descending);
        return page.Select(FromFields).ToList();
    }

    private static void ValidateCursor(string cursor)
    {
        var dash = cursor.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0 || !ulong.TryParse(cursor.AsSpan(0, dash), out _) || !ulong.TryParse(cursor.AsSpan(dash + 1), out _))
        {
            throw FaasException.InvalidArgument($"Invalid log cursor '{cursor}'.");
        }
    }

    private static NameValueEntry[] ToFields(LogEntry entry) =>
    [
        new("t", entry.TimestampUnixMs),
        new("r", entry.RequestId),
        new("x", entry.Text),
    ];

    private static NameValueEntry[] ToFields(ActivationRecord a) =>
    [
        new("requestId", a.RequestId),
        new("start", a.Start.ToUnixTimeMilliseconds()),
        new("durationMs", a.DurationMs),
        new("billedMs", a.BilledMs),
        new("memoryMb", a.MemoryMb),
        new("maxMemoryUsedMb", a.MaxMemoryUsedMb),
        new("initDurationMs", a.InitDurationMs),
        new("cold", a.ColdStart ? 1 : 0),
        new("status", a.Status),
        new("errorType", a.ErrorType),
        new("silo", a.Silo),
        new("instanceId", a.InstanceId),
    ];

    private static ActivationRecord FromFields(StreamEntry e) => new()
    {
        RequestId = (string?)e["requestId"] ?? "",
        Start = DateTimeOffset.FromUnixTimeMilliseconds((long)e["start"]),
        DurationMs = (double)e["durationMs"],
        BilledMs = (long)e["billedMs"],
        MemoryMb = (int)e["memoryMb"],
        MaxMemoryUsedMb = (int)e["maxMemoryUsedMb"],
        InitDurationMs = (double)e["initDurationMs"],
        ColdStart = (int)e["cold"] == 1,
        Status = (string?)e["status"] ?? "",
        ErrorType = (string?)e["errorType"] ?? "",
        Silo = (string?)e["silo"] ?? "",
        InstanceId = (string?)e["instanceId"] ?? "",
    };
}
