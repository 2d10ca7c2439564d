using OrleansFaas.Abstractions.Model;
using OrleansFaas.Grains.Hosting;

namespace OrleansFaas.Grains.Logs;

/// <summary>Dev mode: each function's log and activation records in this process, capped like the Redis streams.</summary>
public sealed class MemoryActivationLog(LogSettings settings, TimeProvider clock) : IActivationLog
{
    private readonly Dictionary<string, Streams> _functions = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    private sealed class Streams
    {
        public readonly LinkedList<(StreamId Id, LogEntry Entry)> Logs = new();
        public readonly LinkedList<ActivationRecord> Activations = new();
        public StreamId Last;
    }

    /// <summary>Redis' stream id: milliseconds, then a sequence within the millisecond; strictly increasing.</summary>
    private readonly record struct StreamId(long Ms, long Seq) : IComparable<StreamId>
    {
        public int CompareTo(StreamId other) => Ms != other.Ms ? Ms.CompareTo(other.Ms) : Seq.CompareTo(other.Seq);

        public override string ToString() => $"{Ms}-{Seq}";

        public static StreamId Parse(string? cursor)
        {
            if (string.IsNullOrEmpty(cursor))
            {
                return default;
            }
            var dash = cursor.IndexOf('-', StringComparison.Ordinal);
            return dash > 0 && long.TryParse(cursor.AsSpan(0, dash), out var ms) && long.TryParse(cursor.AsSpan(dash + 1), out var seq)
                ? new StreamId(ms, seq)
                : throw FaasException.InvalidArgument($"Invalid log cursor '{cursor}'.");
        }
    }

    public Task AppendAsync(IReadOnlyList<InvocationLog> batch)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        lock (_lock)
        {
            foreach (var item in batch)
            {
                if (!_functions.TryGetValue(item.Function, out var streams))
                {
                    _functions[item.Function] = streams = new Streams();
                }
                streams.Last = now > streams.Last.Ms ? new StreamId(now, 0) : streams.Last with { Seq = streams.Last.Seq + 1 };
                streams.Logs.AddLast((streams.Last, item.Entry));
                streams.Activations.AddLast(item.Activation);
                while (streams.Logs.Count > settings.Retention)
                {
                    streams.Logs.RemoveFirst();
                }
                while (streams.Activations.Count > settings.Retention)
                {
                    streams.Activations.RemoveFirst();
                }
            }
        }
        return Task.CompletedTask;
    }

    public Task<LogPage> ReadLogsAsync(string function, LogQuery query)
    {
        var limit = query.EffectiveLimit;
        var after = string.IsNullOrEmpty(query.AfterCursor) ? (StreamId?)null : StreamId.Parse(query.AfterCursor);
        List<(StreamId Id, LogEntry Entry)> page;
        lock (_lock)
        {
            IEnumerable<(StreamId Id, LogEntry Entry)> all = _functions.TryGetValue(function, out var streams) ? streams.Logs : [];
            page = after is { } cursor
                ? all.Where(e => e.Id.CompareTo(cursor) > 0).Take(limit).ToList()
                : all.Reverse().TakeWhile(e => e.Id.Ms >= query.SinceUnixMs).Take(limit).Reverse().ToList();
        }
        var last = page.Count > 0 ? page[^1].Id.ToString() : null;
        return Task.FromResult(new LogPage(page.Select(e => e.Entry).ToList(), ActivationLogKeys.NextCursor(last, query)));
    }

    public Task<IReadOnlyList<ActivationRecord>> ListActivationsAsync(string function, int limit)
    {
        lock (_lock)
        {
            IReadOnlyList<ActivationRecord> records = _functions.TryGetValue(function, out var streams)
                ? streams.Activations.Reverse().Take(limit).ToList()
                : [];
            return Task.FromResult(records);
        }
    }
}
