using System.Net.Sockets;
using Grpc.Net.Client;
using OrleansFaas.Worker.V1;

namespace OrleansFaas.Grains.Workers;

/// <summary>A gRPC client of one worker, over its Unix domain socket (HTTP/2 without TLS).</summary>
public sealed class WorkerClient : IDisposable
{
    private const int MaxMessageBytes = 16 * 1024 * 1024;
    private readonly GrpcChannel _channel;

    public WorkerClient(string socketPath)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        _channel = GrpcChannel.ForAddress("http://worker", new GrpcChannelOptions
        {
            HttpHandler = handler,
            MaxReceiveMessageSize = MaxMessageBytes,
            MaxSendMessageSize = MaxMessageBytes,
        });
        Worker = new Worker.V1.Worker.WorkerClient(_channel);
    }

    public Worker.V1.Worker.WorkerClient Worker { get; }

    public void Dispose() => _channel.Dispose();
}
