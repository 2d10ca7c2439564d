using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OrleansFaas.Abstractions.Model;
using OrleansFaas.Grains.Hosting;

namespace OrleansFaas.Grains.Workers;

/// <summary>
/// This silo's fork server: one Python process that has imported grpc, the stubs and the worker modules
/// (but never started grpc itself — children of a process with live grpc cannot serve), and forks a fresh
/// worker per request, in milliseconds instead of a new interpreter's ~70 ms.
/// Control protocol, a plain Unix stream socket, one connection per worker:
///   → <c>{"socket": "/abs/w.sock"}\n</c>
///   ← <c>{"pid": N, "ready": true}\n</c> once the child serves (or <c>{"error": "…"}\n</c>)
///   ← <c>{"pid": N, "exit": S}\n</c> when the zygote reaps it, then EOF
/// </summary>
public sealed class Zygote : IAsyncDisposable
{
    public const string ReadyLine = "FAAS_ZYGOTE_READY";

    private readonly PythonProcess _python;
    private readonly string _controlPath;

    private Zygote(PythonProcess python, string controlPath)
    {
        _python = python;
        _controlPath = controlPath;
    }

    public int Pid => _python.Pid;
    public bool IsAlive => !_python.HasExited;
    public string? PidFile { get; set; }

    public static async Task<Zygote> StartAsync(ProcessSpawner spawner, WorkerSettings settings, string controlPath)
    {
        File.Delete(controlPath);
        var python = await PythonProcess.StartAsync(spawner, settings, "faas_worker.zygote", ["--control", controlPath], ReadyLine);
        return new Zygote(python, controlPath);
    }

    /// <summary>Forks a worker serving <paramref name="socketPath"/>; returns once it is ready.</summary>
    public async Task<ForkedWorkerProcess> ForkAsync(string socketPath, TimeSpan timeout)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(_controlPath), cts.Token);
            var stream = new NetworkStream(socket, ownsSocket: true);
            var request = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["socket"] = socketPath });
            await stream.WriteAsync(request, cts.Token);
            await stream.WriteAsync("\n"u8.ToArray(), cts.Token);
            var reader = new StreamReader(stream, Encoding.UTF8);
            var line = await reader.ReadLineAsync(cts.Token)
                ?? throw new FaasException(FaasErrorCode.Unavailable, "The zygote closed the connection before the worker was ready. " + _python.StderrTail());
            using var reply = JsonDocument.Parse(line);
            if (reply.RootElement.TryGetProperty("error", out var error))
            {
                throw new FaasException(FaasErrorCode.Unavailable, "The zygote could not fork a worker: " + error.GetString());
            }
            return new ForkedWorkerProcess(reply.RootElement.GetProperty("pid").GetInt32(), socketPath, reader, this);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or JsonException)
        {
            socket.Dispose();
            throw new FaasException(FaasErrorCode.Unavailable, $"The zygote did not fork a worker: {e.Message}");
        }
    }

    public string StderrTail() => _python.StderrTail();

    public async ValueTask DisposeAsync()
    {
        NativeMethods.KillProcessGroup(_python.Pid);
        await _python.WaitForExitAsync(TimeSpan.FromSeconds(5));
        _python.Dispose();
        try
        {
            File.Delete(_controlPath);
            if (PidFile is not null)
            {
                File.Delete(PidFile);
            }
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A worker forked by the zygote: not this silo's child, so its exit status comes over the zygote's connection.</summary>
public sealed class ForkedWorkerProcess : WorkerProcess
{
    private readonly Task<int?> _exit;
    private readonly Zygote _zygote;

    public ForkedWorkerProcess(int pid, string socketPath, StreamReader connection, Zygote zygote) : base(pid, socketPath)
    {
        _zygote = zygote;
        _exit = ReadExitAsync(connection);
    }

    public override string Origin => ColdStartSource.Fork;

    public override bool HasExited => _exit.IsCompleted;

    private static async Task<int?> ReadExitAsync(StreamReader connection)
    {
        using (connection)
        {
            try
            {
                while (await connection.ReadLineAsync() is { } line)
                {
                    using var message = JsonDocument.Parse(line);
                    if (message.RootElement.TryGetProperty("exit", out var status))
                    {
                        return status.GetInt32();
                    }
                }
            }
            catch (Exception e) when (e is IOException or JsonException or ObjectDisposedException)
            {
            }
            return null; // the zygote itself is gone
        }
    }

    public override async Task<int?> WaitForExitAsync(TimeSpan wait)
    {
        var finished = await Task.WhenAny(_exit, Task.Delay(wait));
        return finished == _exit ? await _exit : null;
    }

    public override string StderrTail() => _zygote.StderrTail();
}
