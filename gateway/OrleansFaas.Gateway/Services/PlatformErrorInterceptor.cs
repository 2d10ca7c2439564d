using Grpc.Core;
using Grpc.Core.Interceptors;
using OrleansFaas.Abstractions.Model;

namespace OrleansFaas.Gateway.Services;

/// <summary>
/// The one place where platform errors become gRPC status codes, each with a clear message.
/// Function errors never get here: they are data in a successful invoke response.
/// </summary>
public sealed class PlatformErrorInterceptor(ILogger<PlatformErrorInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            var status = ToStatus(e);
            if (status.StatusCode == StatusCode.Internal)
            {
                logger.LogError(e, "Unexpected failure in {Method}", context.Method);
            }
            throw new RpcException(status);
        }
    }

    public static Status ToStatus(Exception e) => e switch
    {
        FaasException f => new Status(f.Code switch
        {
            FaasErrorCode.InvalidArgument => StatusCode.InvalidArgument,
            FaasErrorCode.NotFound => StatusCode.NotFound,
            FaasErrorCode.AlreadyExists => StatusCode.AlreadyExists,
            FaasErrorCode.ResourceExhausted => StatusCode.ResourceExhausted,
            FaasErrorCode.DeadlineExceeded => StatusCode.DeadlineExceeded,
            FaasErrorCode.Unavailable => StatusCode.Unavailable,
            _ => StatusCode.Internal,
        }, f.Message),
        TimeoutException => new Status(StatusCode.DeadlineExceeded, "The cluster did not answer in time: " + e.Message),
        SiloUnavailableException or OrleansMessageRejectionException or Orleans.Runtime.Messaging.ConnectionFailedException =>
            new Status(StatusCode.Unavailable, "The cluster is unavailable: " + e.Message),
        OperationCanceledException => new Status(StatusCode.Cancelled, "The call was cancelled."),
        _ => new Status(StatusCode.Internal, "Internal error: " + e.Message),
    };
}
