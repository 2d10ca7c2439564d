using System.IO.Compression;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using OrleansFaas.Api.V1;

namespace OrleansFaas.Tests.EndToEnd;

/// <summary>
/// A running OrleansFaas made of real processes on 127.0.0.1: either dev mode (one gateway process hosting a
/// silo) or a cluster (redis-server, silos and a gateway). Owns a temporary folder and every process; disposing
/// stops them by pid and removes the folder.
/// </summary>
public sealed class Platform : IAsyncDisposable
{
    private readonly List<OwnedProcess> _silos = [];
    private readonly List<string> _siloDataDirs = [];
    private RedisServer? _redis;
    private OwnedProcess? _gateway;
    private GrpcChannel? _channel;

    private Platform(string workDir) => WorkDir = workDir;

    public string WorkDir { get; }
    public int GrpcPort { get; private set; }
    public string Endpoint => $"http://127.0.0.1:{GrpcPort}";
    public Functions.FunctionsClient Functions { get; private set; } = null!;
    public Invoker.InvokerClient Invoker { get; private set; } = null!;
    public OwnedProcess Gateway => _gateway!;
    /// <summary>The redis-server of a cluster platform (null in dev mode).</summary>
    public string? RedisConnectionString => _redis?.ConnectionString;
    public IReadOnlyList<OwnedProcess> Silos => _silos;
    /// <summary>Data folders of the silos (the gateway's own in dev mode); worker sockets live below them.</summary>
    public IReadOnlyList<string> SiloDataDirs => _siloDataDirs;

    private static string NewWorkDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "faas-e2e-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Dev mode: one gateway process with a co-hosted silo, memory stores, no Redis.</summary>
    public static async Task<Platform> StartDevAsync(IReadOnlyDictionary<string, string>? extraEnvironment = null)
    {
        var platform = new Platform(NewWorkDir());
        try
        {
            var dataDir = Path.Combine(platform.WorkDir, "dev");
            platform._siloDataDirs.Add(dataDir);
            var env = new Dictionary<string, string>
            {
                ["FAAS_SILO_PORT"] = FreePort.Next().ToString(),
                ["FAAS_GATEWAY_PORT"] = FreePort.Next().ToString(),
                ["FAAS_DATA_DIR"] = dataDir,
            };
            foreach (var (k, v) in extraEnvironment ?? new Dictionary<string, string>())
            {
                env[k] = v;
            }
            await platform.StartGatewayAsync(env);
            return platform;
        }
        catch
        {
            await platform.DisposeAsync();
            throw;
        }
    }

    /// <summary>Cluster mode: redis-server, <paramref name="silos"/> silo processes and one gateway process.</summary>
    public static async Task<Platform> StartClusterAsync(int silos = 2, IReadOnlyDictionary<string, string>? extraEnvironment = null)
    {
        var platform = new Platform(NewWorkDir());
        try
        {
            platform._redis = await RedisServer.StartAsync(platform.WorkDir);
            var clusterId = "e2e-" + Guid.NewGuid().ToString("N")[..8];
            for (var i = 1; i <= silos; i++)
            {
                var dataDir = Path.Combine(platform.WorkDir, $"silo{i}");
                platform._siloDataDirs.Add(dataDir);
                var env = new Dictionary<string, string>
                {
                    ["FAAS_REDIS"] = platform._redis.ConnectionString,
                    ["FAAS_CLUSTER_ID"] = clusterId,
                    ["FAAS_SILO_PORT"] = FreePort.Next().ToString(),
                    ["FAAS_GATEWAY_PORT"] = FreePort.Next().ToString(),
                    ["FAAS_ADVERTISED_IP"] = "127.0.0.1",
                    ["FAAS_SILO_NAME"] = $"silo{i}",
                    ["FAAS_DATA_DIR"] = dataDir,
                };
                foreach (var (k, v) in extraEnvironment ?? new Dictionary<string, string>())
                {
                    env[k] = v;
                }
                platform._silos.Add(OwnedProcess.Start("dotnet", [RepoPaths.SiloDll], env, Path.Combine(platform.WorkDir, $"silo{i}.log")));
            }
            // Every silo has joined before the gateway starts, so its client knows them all from the start.
            foreach (var silo in platform._silos)
            {
                if (!await Signals.WaitUntilAsync(() => silo.HasExited || silo.ReadLog().Contains("Application started", StringComparison.Ordinal), TimeSpan.FromSeconds(90))
                    || silo.HasExited)
                {
                    throw new InvalidOperationException("A silo did not start:\n" + silo.ReadLog());
                }
            }
            await platform.StartGatewayAsync(new Dictionary<string, string>
            {
                ["FAAS_REDIS"] = platform._redis.ConnectionString,
                ["FAAS_CLUSTER_ID"] = clusterId,
            });
            return platform;
        }
        catch
        {
            await platform.DisposeAsync();
            throw;
        }
    }

    private async Task StartGatewayAsync(Dictionary<string, string> env)
    {
        GrpcPort = FreePort.Next();
        env["FAAS_GRPC_PORT"] = GrpcPort.ToString();
        _gateway = OwnedProcess.Start("dotnet", [RepoPaths.GatewayDll], env, Path.Combine(WorkDir, "gateway.log"));
        _channel = GrpcChannel.ForAddress(Endpoint, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = 80 * 1024 * 1024,
            MaxSendMessageSize = 80 * 1024 * 1024,
        });
        Functions = new Functions.FunctionsClient(_channel);
        Invoker = new Invoker.InvokerClient(_channel);
        var ready = await Signals.WaitUntilAsync(() =>
        {
            if (_gateway.HasExited)
            {
                return true;
            }
            try
            {
                Functions.ListFunctions(new ListFunctionsRequest(), deadline: DateTime.UtcNow.AddSeconds(5));
                return true;
            }
            catch (RpcException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(90));
        if (!ready || _gateway.HasExited)
        {
            throw new InvalidOperationException("The gateway did not become ready:\n" + _gateway.ReadLog()
                + string.Concat(_silos.Select(s => "\n--- silo ---\n" + s.ReadLog())));
        }
    }

    /// <summary>
    /// Live Python processes of this platform: workers, stem cells and the zygote (with its forks), all of
    /// which name a silo's data folder on their command line.
    /// </summary>
    public List<int> WorkerPids() =>
        SiloDataDirs.SelectMany(d => Signals.FindProcesses(d + "/")).Where(pid => IsPython(pid)).Distinct().ToList();

    private static bool IsPython(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Contains("faas_worker", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Runs the real <c>./faas</c> command line against this platform.</summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> FaasAsync(params string[] args)
    {
        var info = new System.Diagnostics.ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(RepoPaths.FaasScript);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["FAAS_ENDPOINT"] = Endpoint;
        using var process = System.Diagnostics.Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    public static ByteString ZipDirectory(string directory)
    {
        using var memory = new MemoryStream();
        using (var archive = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var file in Directory.GetFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                if (file.Contains("__pycache__", StringComparison.Ordinal))
                {
                    continue;
                }
                archive.CreateEntryFromFile(file, Path.GetRelativePath(directory, file).Replace('\\', '/'));
            }
        }
        return ByteString.CopyFrom(memory.ToArray());
    }

    public async Task<FunctionConfiguration> DeployAsync(string name, string directory, string handler, int memoryMb = 0, int timeoutSeconds = 0)
    {
        return await Functions.CreateFunctionAsync(new CreateFunctionRequest
        {
            Name = name,
            Handler = handler,
            MemoryMb = memoryMb,
            TimeoutSeconds = timeoutSeconds,
            CodeZip = ZipDirectory(directory),
        });
    }

    public async Task<InvokeResponse> InvokeAsync(string name, string payload = "") =>
        await Invoker.InvokeAsync(new InvokeRequest { FunctionName = name, Payload = ByteString.CopyFromUtf8(payload) });

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
        // Workers die with their silo (stopped on shutdown, or by the kernel); wait for that, then make sure.
        await Signals.WaitUntilAsync(() => WorkerPids().Count == 0, TimeSpan.FromSeconds(10));
        foreach (var pid in WorkerPids())
        {
            Signals.Send(pid, Signals.SIGKILL);
        }
        try
        {
            Directory.Delete(WorkDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
