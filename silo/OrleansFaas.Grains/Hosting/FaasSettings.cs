using System.Globalization;
using System.Net;

namespace OrleansFaas.Grains.Hosting;

/// <summary>
/// Reads the FAAS_* environment variables, one options class per concern, and fails at start with a clear
/// message naming the variable when a value is malformed.
/// </summary>
public static class FaasSettings
{
    public static string? Get(string name) =>
        System.Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;

    public static int GetInt(string name, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        var raw = Get(name);
        if (raw is null)
        {
            return fallback;
        }
        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new InvalidOperationException($"{name}='{raw}' is not a whole number between {min} and {max}.");
        }
        return value;
    }

    public static double GetDouble(string name, double fallback)
    {
        var raw = Get(name);
        if (raw is null)
        {
            return fallback;
        }
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0)
        {
            throw new InvalidOperationException($"{name}='{raw}' is not a non-negative number.");
        }
        return value;
    }

    /// <summary>A duration such as <c>10m</c>, <c>30s</c>, <c>250ms</c>, <c>1h</c>, or plain seconds.</summary>
    public static TimeSpan GetDuration(string name, TimeSpan fallback)
    {
        var raw = Get(name);
        if (raw is null)
        {
            return fallback;
        }
        return ParseDuration(raw) ?? throw new InvalidOperationException(
            $"{name}='{raw}' is not a duration (examples: 250ms, 30s, 10m, 1h).");
    }

    public static TimeSpan? ParseDuration(string raw)
    {
        raw = raw.Trim();
        (string number, Func<double, TimeSpan> unit) = raw switch
        {
            _ when raw.EndsWith("ms", StringComparison.Ordinal) => (raw[..^2], TimeSpan.FromMilliseconds),
            _ when raw.EndsWith('s') => (raw[..^1], TimeSpan.FromSeconds),
            _ when raw.EndsWith('m') => (raw[..^1], TimeSpan.FromMinutes),
            _ when raw.EndsWith('h') => (raw[..^1], TimeSpan.FromHours),
            _ => (raw, (Func<double, TimeSpan>)TimeSpan.FromSeconds),
        };
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0 ? unit(n) : null;
    }
}

/// <summary>Where and how this silo joins its cluster.</summary>
public sealed class ClusterSettings
{
    /// <summary>Redis connection string (FAAS_REDIS); null means dev mode (localhost clustering, memory stores).</summary>
    public string? Redis { get; init; }
    public int SiloPort { get; init; } = 11111;
    public int GatewayPort { get; init; } = 30000;
    public IPAddress AdvertisedAddress { get; init; } = IPAddress.Loopback;
    public string ClusterId { get; init; } = "orleansfaas";
    public string SiloName { get; init; } = "silo";
    public bool IsDevMode => Redis is null;

    public static ClusterSettings FromEnvironment()
    {
        var siloPort = FaasSettings.GetInt("FAAS_SILO_PORT", 11111, 1, 65535);
        var address = FaasSettings.Get("FAAS_ADVERTISED_IP");
        if (address is not null && !IPAddress.TryParse(address, out _))
        {
            throw new InvalidOperationException($"FAAS_ADVERTISED_IP='{address}' is not an IP address.");
        }
        return new ClusterSettings
        {
            Redis = FaasSettings.Get("FAAS_REDIS"),
            SiloPort = siloPort,
            GatewayPort = FaasSettings.GetInt("FAAS_GATEWAY_PORT", 30000, 1, 65535),
            AdvertisedAddress = address is null ? IPAddress.Loopback : IPAddress.Parse(address),
            ClusterId = FaasSettings.Get("FAAS_CLUSTER_ID") ?? "orleansfaas",
            SiloName = FaasSettings.Get("FAAS_SILO_NAME") ?? $"silo-{siloPort}",
        };
    }
}

/// <summary>The Python worker processes this silo starts.</summary>
public sealed class WorkerSettings
{
    public string Python { get; init; } = "/usr/bin/python3";
    /// <summary>The folder holding <c>faas_worker/</c> and the generated stubs in <c>gen/</c>.</summary>
    public required string WorkerDirectory { get; init; }
    /// <summary>This silo's own folder: unpacked packages, sockets and worker pid files.</summary>
    public required string DataDirectory { get; init; }
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>Fork workers from a zygote (FAAS_ZYGOTE=0 spawns every worker as a fresh interpreter).</summary>
    public bool UseZygote { get; init; } = true;
    /// <summary>Pre-started generic workers kept ready on this silo (FAAS_STEM_CELLS, 0 disables).</summary>
    public int StemCells { get; init; } = 2;
    /// <summary>Sum of the memory sizes of this silo's instances may not exceed this (FAAS_SILO_MEMORY_MB).</summary>
    public int MemoryBudgetMb { get; init; } = DefaultMemoryBudgetMb();
    /// <summary>How long a cold start waits for memory on a full silo before it is throttled (FAAS_CAPACITY_WAIT).</summary>
    public TimeSpan CapacityWait { get; init; } = TimeSpan.FromSeconds(2);

    private static int DefaultMemoryBudgetMb() =>
        (int)Math.Min(int.MaxValue, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024));

    public static WorkerSettings FromEnvironment(ClusterSettings cluster) => new()
    {
        UseZygote = FaasSettings.Get("FAAS_ZYGOTE") != "0",
        StemCells = FaasSettings.GetInt("FAAS_STEM_CELLS", 2, 0, 1000),
        MemoryBudgetMb = FaasSettings.GetInt("FAAS_SILO_MEMORY_MB", DefaultMemoryBudgetMb(), 128, int.MaxValue),
        CapacityWait = FaasSettings.GetDuration("FAAS_CAPACITY_WAIT", TimeSpan.FromSeconds(2)),
        Python = FaasSettings.Get("FAAS_PYTHON") ?? "/usr/bin/python3",
        WorkerDirectory = FaasSettings.Get("FAAS_WORKER_DIR") ?? FindWorkerDirectory(),
        DataDirectory = FaasSettings.Get("FAAS_DATA_DIR")
            ?? Path.Combine(Path.GetTempPath(), "orleansfaas", cluster.SiloName),
        StartTimeout = FaasSettings.GetDuration("FAAS_WORKER_START_TIMEOUT", TimeSpan.FromSeconds(15)),
    };

    /// <summary>worker-python/ of the source tree this build came from (set FAAS_WORKER_DIR elsewhere).</summary>
    private static string FindWorkerDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "worker-python");
            if (File.Exists(Path.Combine(candidate, "faas_worker", "__main__.py")))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException(
            "Cannot find worker-python/faas_worker above " + AppContext.BaseDirectory + ": set FAAS_WORKER_DIR.");
    }
}

/// <summary>Warm-instance pool behaviour.</summary>
public sealed class PoolSettings
{
    /// <summary>An idle instance is stopped after this long unused (FAAS_KEEP_ALIVE, default 10 minutes).</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>How often each silo reports its instances to their pools (FAAS_SWEEP_INTERVAL).</summary>
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromSeconds(30);

    public static PoolSettings FromEnvironment()
    {
        var keepAlive = FaasSettings.GetDuration("FAAS_KEEP_ALIVE", TimeSpan.FromMinutes(10));
        var defaultSweep = TimeSpan.FromTicks(Math.Clamp(keepAlive.Ticks / 2, TimeSpan.FromMilliseconds(200).Ticks, TimeSpan.FromSeconds(30).Ticks));
        return new PoolSettings
        {
            KeepAlive = keepAlive,
            SweepInterval = FaasSettings.GetDuration("FAAS_SWEEP_INTERVAL", defaultSweep),
        };
    }
}

/// <summary>The account's concurrency limits.</summary>
public sealed class ConcurrencySettings
{
    /// <summary>Live instances across the cluster (FAAS_ACCOUNT_CONCURRENCY, default 1,000 as on Lambda).</summary>
    public int AccountLimit { get; init; } = 1000;
    /// <summary>What reservations must leave to everyone else (FAAS_UNRESERVED_MINIMUM, default 100 as on Lambda).</summary>
    public int UnreservedMinimum { get; init; } = 100;

    public static ConcurrencySettings FromEnvironment()
    {
        var limit = FaasSettings.GetInt("FAAS_ACCOUNT_CONCURRENCY", 1000, 1, 1_000_000);
        return new ConcurrencySettings
        {
            AccountLimit = limit,
            UnreservedMinimum = FaasSettings.GetInt("FAAS_UNRESERVED_MINIMUM", Math.Min(100, limit), 0, limit),
        };
    }
}

/// <summary>How usage is billed.</summary>
public sealed class BillingSettings
{
    /// <summary>Billed duration is rounded up to this (1 ms as Lambda today; 100 ms is the classic rule).</summary>
    public int GranularityMs { get; init; } = 1;
    public double PricePerGbSecond { get; init; } = 0.0000166667;
    public double PricePerMillionRequests { get; init; } = 0.20;

    public static BillingSettings FromEnvironment() => new()
    {
        GranularityMs = FaasSettings.GetInt("FAAS_BILLING_GRANULARITY_MS", 1, 1, 60_000),
        PricePerGbSecond = FaasSettings.GetDouble("FAAS_PRICE_PER_GB_SECOND", 0.0000166667),
        PricePerMillionRequests = FaasSettings.GetDouble("FAAS_PRICE_PER_MILLION_REQUESTS", 0.20),
    };
}

/// <summary>Invocation logs and activation records.</summary>
public sealed class LogSettings
{
    /// <summary>Entries kept per function, in each of its two streams (FAAS_LOG_RETENTION, default 10,000).</summary>
    public int Retention { get; init; } = 10_000;
    /// <summary>Invocations whose logs may wait for the silo's background writer (FAAS_LOG_BUFFER, default 100,000).</summary>
    public int BufferCapacity { get; init; } = 100_000;

    public static LogSettings FromEnvironment() => new()
    {
        Retention = FaasSettings.GetInt("FAAS_LOG_RETENTION", 10_000, 1, 100_000_000),
        BufferCapacity = FaasSettings.GetInt("FAAS_LOG_BUFFER", 100_000, 1, 10_000_000),
    };
}

/// <summary>Asynchronous (Event) invocations: the durable queue, retries and their delays.</summary>
public sealed class AsyncSettings
{
    /// <summary>Largest Event payload (FAAS_ASYNC_MAX_PAYLOAD, default 1 MiB as Lambda since Oct 2025).</summary>
    public int MaxPayloadBytes { get; init; } = 1_048_576;
    /// <summary>Delay before retry 1, 2, … after a function error (FAAS_ASYNC_RETRY_DELAYS, default 1m,2m as Lambda); the last repeats.</summary>
    public IReadOnlyList<TimeSpan> RetryDelays { get; init; } = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2)];
    /// <summary>An event pending this long on a consumer that stopped heart-beating is claimed by another silo (FAAS_ASYNC_CLAIM_IDLE, default 60s).</summary>
    public TimeSpan ClaimIdle { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Events run at once by one silo's consumer (FAAS_ASYNC_CONCURRENCY, default 16).</summary>
    public int Concurrency { get; init; } = 16;

    /// <summary>First delay after a throttle (ResourceExhausted, Unavailable): the shorter of 1 s and the first retry delay; doubles up to 5 min.</summary>
    public TimeSpan ThrottleBaseDelay => RetryDelays[0] < TimeSpan.FromSeconds(1) ? RetryDelays[0] : TimeSpan.FromSeconds(1);
    public static TimeSpan MaxThrottleDelay => TimeSpan.FromMinutes(5);

    /// <summary>How often due retries are moved to the ready queue: half the shortest delay, between 50 ms and 1 s.</summary>
    public TimeSpan PromoteInterval => TimeSpan.FromTicks(Math.Clamp(
        Math.Min(RetryDelays.Min().Ticks, ThrottleBaseDelay.Ticks) / 2, TimeSpan.FromMilliseconds(50).Ticks, TimeSpan.FromSeconds(1).Ticks));

    public static AsyncSettings FromEnvironment()
    {
        var delays = FaasSettings.Get("FAAS_ASYNC_RETRY_DELAYS");
        return new AsyncSettings
        {
            MaxPayloadBytes = FaasSettings.GetInt("FAAS_ASYNC_MAX_PAYLOAD", 1_048_576, 1, 64 * 1024 * 1024),
            RetryDelays = delays is null
                ? [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2)]
                : ParseDelays(delays) ?? throw new InvalidOperationException(
                    $"FAAS_ASYNC_RETRY_DELAYS='{delays}' is not a comma-separated list of durations (example: 1m,2m or 200ms,400ms)."),
            ClaimIdle = FaasSettings.GetDuration("FAAS_ASYNC_CLAIM_IDLE", TimeSpan.FromSeconds(60)) is var idle && idle >= TimeSpan.FromMilliseconds(100)
                ? idle
                : throw new InvalidOperationException("FAAS_ASYNC_CLAIM_IDLE must be at least 100ms."),
            Concurrency = FaasSettings.GetInt("FAAS_ASYNC_CONCURRENCY", 16, 1, 1000),
        };
    }

    /// <summary>"1m,2m" → [1 min, 2 min]; null when empty or when an item is not a positive duration.</summary>
    public static IReadOnlyList<TimeSpan>? ParseDelays(string raw)
    {
        var delays = new List<TimeSpan>();
        foreach (var item in raw.Split(',', StringSplitOptions.TrimEntries))
        {
            if (item.Length == 0 || FaasSettings.ParseDuration(item) is not { } delay || delay <= TimeSpan.Zero)
            {
                return null;
            }
            delays.Add(delay);
        }
        return delays.Count == 0 ? null : delays;
    }
}
