using System.Globalization;
using StackExchange.Redis;

namespace OrleansFaas.Grains.Billing;

/// <summary>
/// Cluster mode: the ledger in Redis. One Lua script applies a whole batch atomically, so a step is either
/// counted with its dedup marker or not at all, whatever process dies when.
///   faas:ledger:{fn}:steps:DAY  hash request key -> "B:minimumMs:memoryMb:day" | "C" (expires after 3 days)
///   faas:ledger:{fn}:days       hash DAY:inv, DAY:ms, DAY:mbms -> integers (exact: MB x ms, not GB-s)
/// A step for a request is looked up in its day's and the previous day's hash (an attempt around midnight).
/// </summary>
public sealed class RedisUsageStore(IConnectionMultiplexer redis) : IUsageStore
{
    private const string Script = """
        local i = 1
        local n = tonumber(ARGV[1])
        local ttl = 259200
        for k = 1, n do
          local fn, req, step = ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
          local ms, mem, day, prev = tonumber(ARGV[i + 4]), tonumber(ARGV[i + 5]), ARGV[i + 6], ARGV[i + 7]
          i = i + 7
          local base = 'faas:ledger:{' .. fn .. '}:'
          local days = base .. 'days'
          local here = base .. 'steps:' .. day
          local state = redis.call('HGET', here, req)
          local where = here
          if not state then
            state = redis.call('HGET', base .. 'steps:' .. prev, req)
            if state then where = base .. 'steps:' .. prev end
          end
          if step == 'B' and not state then
            redis.call('HSET', here, req, 'B:' .. ms .. ':' .. mem .. ':' .. day)
            redis.call('EXPIRE', here, ttl)
            redis.call('HINCRBY', days, day .. ':inv', 1)
            redis.call('HINCRBY', days, day .. ':ms', ms)
            redis.call('HINCRBY', days, day .. ':mbms', ms * mem)
          elseif step == 'C' and not state then
            redis.call('HSET', here, req, 'C')
            redis.call('EXPIRE', here, ttl)
            redis.call('HINCRBY', days, day .. ':inv', 1)
            redis.call('HINCRBY', days, day .. ':ms', ms)
            redis.call('HINCRBY', days, day .. ':mbms', ms * mem)
          elseif state and string.sub(state, 1, 1) == 'B' then
            local minimum, bmem, bday = string.match(state, '^B:(%d+):(%d+):(.+)$')
            minimum = tonumber(minimum)
            bmem = tonumber(bmem)
            if step == 'C' then
              local extra = ms - minimum
              if extra < 0 then extra = 0 end
              redis.call('HSET', where, req, 'C')
              redis.call('HINCRBY', days, bday .. ':ms', extra)
              redis.call('HINCRBY', days, bday .. ':mbms', extra * bmem)
            elseif step == 'X' then
              redis.call('HDEL', where, req)
              redis.call('HINCRBY', days, bday .. ':inv', -1)
              redis.call('HINCRBY', days, bday .. ':ms', -minimum)
              redis.call('HINCRBY', days, bday .. ':mbms', -minimum * bmem)
            end
          end
        end
        return n
        """;

    public async Task ApplyAsync(IReadOnlyList<UsageEntry> batch)
    {
        var args = new RedisValue[1 + batch.Count * 7];
        args[0] = batch.Count;
        var i = 1;
        foreach (var e in batch)
        {
            args[i++] = e.Function;
            args[i++] = e.RequestKey;
            args[i++] = e.Step switch { UsageStep.Begin => "B", UsageStep.Complete => "C", _ => "X" };
            args[i++] = e.BilledMs;
            args[i++] = e.MemoryMb;
            args[i++] = e.Day;
            args[i++] = PreviousDay(e.Day);
        }
        await redis.GetDatabase().ScriptEvaluateAsync(Script, keys: null, values: args);
    }

    public async Task<IReadOnlyList<UsageDay>> GetDaysAsync(string function)
    {
        var fields = await redis.GetDatabase().HashGetAllAsync($"faas:ledger:{{{function}}}:days");
        var byDay = new SortedDictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var field in fields)
        {
            var name = (string)field.Name!;
            var colon = name.LastIndexOf(':');
            var day = name[..colon];
            if (!byDay.TryGetValue(day, out var totals))
            {
                byDay[day] = totals = new long[3];
            }
            var index = name[(colon + 1)..] switch { "inv" => 0, "ms" => 1, _ => 2 };
            totals[index] = (long)field.Value;
        }
        return byDay.Where(kv => kv.Value[0] > 0).Select(kv => new UsageDay(kv.Key, kv.Value[0], kv.Value[1], kv.Value[2])).ToList();
    }

    private static string PreviousDay(string day) =>
        DateTime.ParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture).AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
