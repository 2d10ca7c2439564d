using System.Text.Json;
using System.Text.RegularExpressions;

namespace OrleansFaas.Abstractions.Model;

/// <summary>Lambda's limits on a function definition, checked in one place (gateway and grains).</summary>
public static partial class FunctionLimits
{
    public const string DefaultRuntime = "python3";
    public const int DefaultMemoryMb = 128;
    public const int MinMemoryMb = 128;
    public const int MaxMemoryMb = 10240;
    public const int DefaultTimeoutSeconds = 3;
    public const int MinTimeoutSeconds = 1;
    public const int MaxTimeoutSeconds = 900;
    public const int MaxHandlerLength = 128;
    public const int MaxEnvironmentBytes = 4096;
    public const long MaxZippedBytes = 52_428_800;
    public const long MaxUnzippedBytes = 262_144_000;
    public const int MaxSyncPayloadBytes = 6_291_456;
    public const int MaxProvisionedConcurrency = 100;
    public const int MaxAsyncPayloadBytes = 1_048_576;
    public const int DefaultMaximumRetryAttempts = 2;
    public const int MaxMaximumRetryAttempts = 2;
    public const int DefaultMaximumEventAgeSeconds = 21_600;
    public const int MinMaximumEventAgeSeconds = 60;
    public const int MaxMaximumEventAgeSeconds = 21_600;
    /// <summary>The on-failure destination that keeps failed events in the function's own dead-letter list.</summary>
    public const string DeadLetter = "dead-letter";

    private static readonly string[] ReservedKeys =
    [
        "_HANDLER", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_EXECUTION_ENV", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "TZ",
    ];

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[a-zA-Z][a-zA-Z0-9_]+$")]
    private static partial Regex EnvKeyPattern();

    [GeneratedRegex(@"^python3(\.\d{1,2})?$")]
    private static partial Regex RuntimePattern();

    /// <summary>Throws <see cref="FaasException"/> (InvalidArgument) unless the name follows Lambda's rule.</summary>
    public static void ValidateName(string? name)
    {
        if (name is null || !NamePattern().IsMatch(name))
        {
            throw FaasException.InvalidArgument(
                $"Invalid function name '{name}': use 1 to 64 letters, digits, '-' or '_'.");
        }
    }

    public static void ValidateDefinition(FunctionDefinition d)
    {
        ValidateName(d.Name);
        if (!RuntimePattern().IsMatch(d.Runtime))
        {
            throw FaasException.InvalidArgument($"Unsupported runtime '{d.Runtime}': use 'python3'.");
        }
        if (string.IsNullOrWhiteSpace(d.Handler))
        {
            throw FaasException.InvalidArgument("A handler is required, as MODULE.FUNCTION (e.g. 'app.handler').");
        }
        if (d.Handler.Length > MaxHandlerLength || d.Handler.Any(char.IsWhiteSpace))
        {
            throw FaasException.InvalidArgument(
                $"Invalid handler '{d.Handler}': at most {MaxHandlerLength} characters and no whitespace.");
        }
        if (d.MemoryMb is < MinMemoryMb or > MaxMemoryMb)
        {
            throw FaasException.InvalidArgument(
                $"Memory size {d.MemoryMb} MB is out of range: it must be between {MinMemoryMb} and {MaxMemoryMb} MB.");
        }
        if (d.TimeoutSeconds is < MinTimeoutSeconds or > MaxTimeoutSeconds)
        {
            throw FaasException.InvalidArgument(
                $"Timeout {d.TimeoutSeconds} s is out of range: it must be between {MinTimeoutSeconds} and {MaxTimeoutSeconds} seconds.");
        }
        ValidateEnvironment(d.Environment);
        if (d.ReservedConcurrency is < 0)
        {
            throw FaasException.InvalidArgument($"Reserved concurrency {d.ReservedConcurrency} is out of range: it must be 0 or more.");
        }
        if (d.ProvisionedConcurrency < 0 || d.ProvisionedConcurrency > MaxProvisionedConcurrency)
        {
            throw FaasException.InvalidArgument(
                $"Provisioned concurrency {d.ProvisionedConcurrency} is out of range: it must be between 0 and {MaxProvisionedConcurrency}.");
        }
        if (d.ReservedConcurrency is { } reserved && d.ProvisionedConcurrency > reserved)
        {
            throw FaasException.InvalidArgument(
                $"Provisioned concurrency {d.ProvisionedConcurrency} exceeds the function's reserved concurrency {reserved}.");
        }
        ValidateAsyncConfig(d);
    }

    /// <summary>Lambda's message for an Event payload over the limit (413 RequestEntityTooLargeException there).</summary>
    public static void CheckAsyncPayloadSize(int bytes, int limit = MaxAsyncPayloadBytes)
    {
        if (bytes > limit)
        {
            throw new FaasException(FaasErrorCode.ResourceExhausted,
                $"{bytes} byte payload is too large for the Event invocation type (limit {limit} bytes)");
        }
    }

    /// <summary>Lambda's event invoke config: retries 0..2, event age 60..21600 s, destinations that name functions.</summary>
    public static void ValidateAsyncConfig(FunctionDefinition d)
    {
        if (d.MaximumRetryAttempts is < 0 or > MaxMaximumRetryAttempts)
        {
            throw FaasException.InvalidArgument(
                $"1 validation error detected: Value '{d.MaximumRetryAttempts}' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value between 0 and {MaxMaximumRetryAttempts}");
        }
        if (d.MaximumEventAgeSeconds is < MinMaximumEventAgeSeconds or > MaxMaximumEventAgeSeconds)
        {
            throw FaasException.InvalidArgument(
                $"1 validation error detected: Value '{d.MaximumEventAgeSeconds}' at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value between {MinMaximumEventAgeSeconds} and {MaxMaximumEventAgeSeconds}");
        }
        if (d.OnFailure is { } onFailure && onFailure != DeadLetter && !NamePattern().IsMatch(onFailure))
        {
            throw FaasException.InvalidArgument(
                $"Invalid on-failure destination '{onFailure}': use a function name or '{DeadLetter}'.");
        }
        if (d.OnSuccess is { } onSuccess && (!NamePattern().IsMatch(onSuccess) || onSuccess == DeadLetter))
        {
            throw FaasException.InvalidArgument($"Invalid on-success destination '{onSuccess}': use a function name.");
        }
    }

    public static void ValidateEnvironment(IReadOnlyDictionary<string, string> env)
    {
        foreach (var key in env.Keys)
        {
            if (!EnvKeyPattern().IsMatch(key))
            {
                throw FaasException.InvalidArgument(
                    $"Invalid environment variable name '{key}': it must match [a-zA-Z]([a-zA-Z0-9_])+.");
            }
            if (ReservedKeys.Contains(key) || key.StartsWith("AWS_LAMBDA_", StringComparison.Ordinal))
            {
                throw FaasException.InvalidArgument(
                    $"Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: {key}");
            }
        }
        var size = JsonSerializer.SerializeToUtf8Bytes(env).Length;
        if (size > MaxEnvironmentBytes)
        {
            throw FaasException.InvalidArgument(
                $"Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: {size} bytes.");
        }
    }
}
