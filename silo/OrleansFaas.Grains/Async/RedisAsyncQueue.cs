using System.Text.Json;
using Microsoft.Extensions.Logging;
using OrleansFaas.Abstractions.Model;
using OrleansFaas.Grains.Hosting;
using StackExchange.Redis;

namespace OrleansFaas.Grains.Async;

/// <summary>
/// Cluster mode: one Redis stream <c>faas:async</c> read by the consumer group <c>silos</c>, each silo a
/// consumer named after its silo name; delayed retries in the sorted set <c>faas:async:delayed</c> (scored by
/// due time, Unix ms), moved to the stream by a script when due; dead letters in a list per function,
/// <c>faas:async:dead:&lt;name&gt;</c>.
/// <para>
/// Protocol: an entry read with XREADGROUP is pending on this consumer until it is settled; settling is one
/// MULTI that records the outcome (ZADD a retry, XADD a destination event, RPUSH a dead letter) and XACKs +
/// XDELs the entry, so an event is never in two places nor in none. While an entry runs, its consumer resets
/// its idle time (XCLAIM to itself) every third of the claim idle time; an entry idle longer belongs to a dead
/// consumer and is claimed by another silo with XAUTOCLAIM (its own earlier run's entries too, after a restart).
/// </para>
/// </summary>
public sealed class RedisAsyncQueue(
    IConnectionMultiplexer redis, ClusterSettings cluster, AsyncSettings settings, ILogger<RedisAsyncQueue> logger)
    : IAsyncQueue, IAsyncDisposable
{
    public static readonly RedisKey Stream = "faas:async";
    public static readonly RedisKey Delayed = "faas:async:delayed";
    public const string Group = "silos";
    private const string EventField = "event";

    public static RedisKey DeadLetterKey(string functionName) => "faas:async:dead:" + functionName;

    // Atomic, so two silos promoting at once neither lose nor duplicate an event.
    private const string PromoteScript = """
        local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 100)
        for _, member in ipairs(due) do
          redis.call('XADD', KEYS[2], '*', 'event', member)
          redis.call('ZREM', KEYS[1], member)
        end
        return #due
        """;

    private readonly SemaphoreSlim _connect = new(1, 1);
    private ConnectionMultiplexer? _blocking;
    private bool _groupReady;
    private bool _backlogRead;

    private RedisValue Consumer => cluster.SiloName;
    private IDatabase Db => redis.GetDatabase();

    public async Task EnqueueAsync(AsyncEvent asyncEvent) =>
        await Db.StreamAddAsync(Stream, EventField, asyncEvent.ToJson());

    public async Task<IReadOnlyList<QueuedEvent>> ReadAsync(int max, TimeSpan wait, CancellationToken cancellationToken)
    {
        await EnsureGroupAsync();
        if (!_backlogRead)
        {
            // Entries this consumer name had read but not settled before a restart: run them first.
            var backlog = await Db.StreamReadGroupAsync(Stream, Group, Consumer, "0", max);
            _backlogRead = backlog.Length < max;
            var own = Parse(backlog);
            if (own.Count > 0)
            {
                return own;
            }
        }
        // BLOCK holds the connection, so blocking reads have a connection of their own.
        var connection = await BlockingConnectionAsync();
        RedisResult result;
        try
        {
            result = await connection.GetDatabase().ExecuteAsync("XREADGROUP",
                "GROUP", Group, Consumer, "COUNT", max, "BLOCK", (long)wait.TotalMilliseconds, "STREAMS", Stream, ">");
        }
        catch (RedisServerException e) when (e.Message.Contains("NOGROUP", StringComparison.Ordinal))
        {
            _groupReady = false; // the stream was removed (e.g. FLUSHALL): create it again next time
            throw;
        }
        cancellationToken.ThrowIfCancellationRequested();
        if (result.IsNull || result.Length == 0)
        {
            return [];
        }
        var entries = new List<QueuedEvent>();
        var top = (RedisResult[])result!;
        // RESP3 answers a map {stream: entries} (flattened here as key, value, …); RESP2 an array of [stream, entries].
        var streams = result.Resp3Type == ResultType.Map
            ? top.Where((_, i) => i % 2 == 1)
            : top.Select(stream => ((RedisResult[])stream!)[1]);
        foreach (var streamEntries in streams)
        {
            foreach (var entry in (RedisResult[])streamEntries!)
            {
                var fields = (RedisResult[])entry!;
                var id = (string)fields[0]!;
                var values = (RedisResult[])fields[1]!;
                string? json = null;
                for (var i = 0; i + 1 < values.Length; i += 2)
                {
                    if ((string?)values[i] == EventField)
                    {
                        json = (string?)values[i + 1];
                    }
                }
                if (ToQueued(id, json) is { } queued)
                {
                    entries.Add(queued);
                }
            }
        }
        return entries;
    }

    public async Task<IReadOnlyList<QueuedEvent>> ClaimAbandonedAsync(int max)
    {
        await EnsureGroupAsync();
        var claimed = await Db.StreamAutoClaimAsync(Stream, Group, Consumer, (long)settings.ClaimIdle.TotalMilliseconds, "0-0", max);
        if (claimed.DeletedIds is { Length: > 0 } deleted)
        {
            // Pending ids whose entry is gone (settled by a consumer that was thought dead): nothing to run.
            await Db.StreamAcknowledgeAsync(Stream, Group, deleted);
        }
        var events = Parse(claimed.ClaimedEntries);
        if (events.Count > 0)
        {
            logger.LogWarning("Claimed {Count} async event(s) abandoned by a stopped consumer: {Ids}",
                events.Count, string.Join(", ", events.Select(e => e.Event.RequestId)));
        }
        return events;
    }

    public async Task KeepAliveAsync(IReadOnlyCollection<string> ids)
    {
        if (ids.Count == 0)
        {
            return;
        }
        await Db.StreamClaimIdsOnlyAsync(Stream, Group, Consumer, 0, [.. ids.Select(id => (RedisValue)id)]);
    }

    public async Task<int> PromoteDueAsync(DateTimeOffset now)
    {
        var moved = await Db.ScriptEvaluateAsync(PromoteScript, [Delayed, Stream], [now.ToUnixTimeMilliseconds()]);
        return (int)moved;
    }

    public async Task SettleAsync(QueuedEvent queued, Settlement settlement)
    {
        var transaction = Db.CreateTransaction();
        var pending = new List<Task>();
        if (settlement.Retry is { } retry)
        {
            pending.Add(transaction.SortedSetAddAsync(Delayed, retry.ToJson(), settlement.RetryAt.ToUnixTimeMilliseconds()));
        }
        if (settlement.Forward is { } forward)
        {
            pending.Add(transaction.StreamAddAsync(Stream, EventField, forward.ToJson()));
        }
        if (settlement.DeadLetter is { } deadLetter)
        {
            pending.Add(transaction.ListRightPushAsync(DeadLetterKey(settlement.DeadLetterFunction), JsonSerializer.Serialize(deadLetter)));
        }
        pending.Add(transaction.StreamAcknowledgeAsync(Stream, Group, queued.Id));
        pending.Add(transaction.StreamDeleteAsync(Stream, [queued.Id]));
        if (!await transaction.ExecuteAsync())
        {
            throw new InvalidOperationException($"Settling async event {queued.Event.RequestId} was not applied.");
        }
        await Task.WhenAll(pending);
    }

    public async Task<IReadOnlyList<DeadLetterEntry>> ListDeadLettersAsync(string functionName, int max)
    {
        var values = await Db.ListRangeAsync(DeadLetterKey(functionName), -max, -1);
        return [.. values.Select(v => JsonSerializer.Deserialize<DeadLetterEntry>((string)v!)!)];
    }

    private async Task EnsureGroupAsync()
    {
        if (_groupReady)
        {
            return;
        }
        try
        {
            // From the beginning: events accepted before any silo created the group are read too.
            await Db.StreamCreateConsumerGroupAsync(Stream, Group, StreamPosition.Beginning, createStream: true);
        }
        catch (RedisServerException e) when (e.Message.Contains("BUSYGROUP", StringComparison.Ordinal))
        {
        }
        _groupReady = true;
    }

    private async Task<ConnectionMultiplexer> BlockingConnectionAsync()
    {
        if (_blocking is { } existing)
        {
            return existing;
        }
        await _connect.WaitAsync();
        try
        {
            if (_blocking is null)
            {
                var options = ConfigurationOptions.Parse(cluster.Redis!);
                options.AsyncTimeout = Math.Max(options.AsyncTimeout, 30_000);
                options.ClientName = cluster.SiloName + "-async";
                _blocking = await ConnectionMultiplexer.ConnectAsync(options);
            }
            return _blocking;
        }
        finally
        {
            _connect.Release();
        }
    }

    private List<QueuedEvent> Parse(StreamEntry[] entries)
    {
        var events = new List<QueuedEvent>(entries.Length);
        foreach (var entry in entries)
        {
            if (!entry.IsNull && ToQueued(entry.Id!, entry[EventField]) is { } queued)
            {
                events.Add(queued);
            }
        }
        return events;
    }

    private QueuedEvent? ToQueued(string id, string? json)
    {
        try
        {
            return json is null ? null : new QueuedEvent(id, AsyncEvent.FromJson(json));
        }
        catch (JsonException e)
        {
            // Not ours to run and never runnable: keep it visible in the log rather than retrying it forever.
            logger.LogError(e, "Async queue entry {Id} is not an event: {Json}", id, json);
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_blocking is { } blocking)
        {
            await blocking.DisposeAsync();
        }
        _connect.Dispose();
    }
}
