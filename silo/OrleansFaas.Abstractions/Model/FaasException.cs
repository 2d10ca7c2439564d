namespace OrleansFaas.Abstractions.Model;

/// <summary>What kind of platform error; the gateway maps each to one gRPC status code.</summary>
public enum FaasErrorCode
{
    InvalidArgument,
    NotFound,
    AlreadyExists,
    ResourceExhausted,
    DeadlineExceeded,
    Unavailable,
    Internal,
}

/// <summary>
/// A platform error (not a function error): bad input, unknown function, limits, an unavailable worker host.
/// Function errors travel as data in <see cref="InvocationResult.Error"/>, never as exceptions.
/// </summary>
[GenerateSerializer, Alias("faas.FaasException")]
public sealed class FaasException : Exception
{
    public FaasException(FaasErrorCode code, string message) : base(message) => Code = code;

    [Id(0)] public FaasErrorCode Code { get; }

    public static FaasException InvalidArgument(string message) => new(FaasErrorCode.InvalidArgument, message);

    public static FaasException FunctionNotFound(string name) =>
        new(FaasErrorCode.NotFound, $"Function not found: {FunctionArn.For(name)}");
}

/// <summary>Lambda-shaped ARNs; the account and region are fixed placeholders for a local platform.</summary>
public static class FunctionArn
{
    public const string Region = "us-east-1";
    public const string Account = "000000000000";

    public static string For(string name) => $"arn:aws:lambda:{Region}:{Account}:function:{name}";
}
