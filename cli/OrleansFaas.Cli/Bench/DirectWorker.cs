using System.Net.Sockets;
using Grpc.Net.Client;
using WorkerApi = OrleansFaas.Worker.V1;

namespace OrleansFaas.Cli.Bench;

/// <summary>
/// A gRPC client straight to one worker's Unix socket, bypassing gateway and cluster: the floor under the
/// platform's own latency. The socket of instance I is <c>&lt;silo data dir&gt;/sockets/I.sock</c>.
/// </summary>
internal sealed class DirectWorker : IDisposable
{
    private readonly GrpcChannel _channel;

    public DirectWorker(string socketPath)
    {
        SocketPath = socketPath;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        _channel = GrpcChannel.ForAddress("http://worker", new GrpcChannelOptions { HttpHandler = handler });
        Client = new WorkerApi.Worker.WorkerClient(_channel);
    }

    public string SocketPath { get; }
    public WorkerApi.Worker.WorkerClient Client { get; }

    /// <summary>The data folder of the local silo: --data-dir, else $FAAS_DATA_DIR, else the dev-mode default.</summary>
    public static string ResolveDataDir(string? option) =>
        option
        ?? (Environment.GetEnvironmentVariable("FAAS_DATA_DIR") is { Length: > 0 } fromEnvironment ? fromEnvironment : null)
        ?? Path.Combine(Path.GetTempPath(), "orleansfaas", "silo-11111");

    public static string SocketOf(string dataDir, string instanceId) => Path.Combine(dataDir, "sockets", instanceId + ".sock");

    public void Dispose() => _channel.Dispose();
}
