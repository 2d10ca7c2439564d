using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace OrleansFaas.Tests.EndToEnd;

/// <summary>Where the built programs and sample functions of this source tree are.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The configuration this test assembly was built in; the silo and gateway are built alongside it.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string SiloDll => Path.Combine(Root, "silo", "OrleansFaas.Silo", "bin", Configuration, "net10.0", "OrleansFaas.Silo.dll");
    public static string GatewayDll => Path.Combine(Root, "gateway", "OrleansFaas.Gateway", "bin", Configuration, "net10.0", "OrleansFaas.Gateway.dll");
    public static string FaasScript => Path.Combine(Root, "faas");
    public static string Example(string name) => Path.Combine(Root, "examples", name);
    public static string TestFunction(string name) => Path.Combine(Root, "tests", "OrleansFaas.Tests", "functions", name);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrleansFaas.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("OrleansFaas.sln not found above " + AppContext.BaseDirectory);
    }
}

public static class FreePort
{
    /// <summary>A TCP port free on 127.0.0.1 right now (the OS picks it).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public static partial class Signals
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int KillNative(int pid, int signal);

    public static void Send(int pid, int signal) => KillNative(pid, signal);

    public static bool IsAlive(int pid)
    {
        // A zombie still has a /proc entry; only count processes that are not zombies.
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state != 'Z' && state != 'X';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Pids of live processes whose command line contains <paramref name="fragment"/>.</summary>
    public static List<int> FindProcesses(string fragment)
    {
        var pids = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmdline.Contains(fragment, StringComparison.Ordinal) && IsAlive(pid))
                {
                    pids.Add(pid);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return pids;
    }

    public static async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }
            await Task.Delay(100);
        }
        return condition();
    }
}

/// <summary>
/// A process a test fixture owns: output goes to a log file (shown when a start fails), and it is stopped by
/// its pid (SIGTERM, then SIGKILL) however the test ends.
/// </summary>
public sealed class OwnedProcess : IAsyncDisposable
{
    private readonly Process _process;

    private OwnedProcess(Process process, string logPath)
    {
        _process = process;
        LogPath = logPath;
    }

    public int Pid => _process.Id;
    public string LogPath { get; }
    public bool HasExited => _process.HasExited;

    public static OwnedProcess Start(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string logPath)
    {
        var info = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["Logging__LogLevel__OrleansFaas"] = "Information";
        info.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + fileName);
        var log = new StreamWriter(logPath, append: true, Encoding.UTF8) { AutoFlush = true };
        var sync = TextWriter.Synchronized(log);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { sync.WriteLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { sync.WriteLine(e.Data); } };
        process.Exited += (_, _) => sync.Flush();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new OwnedProcess(process, logPath);
    }

    public string ReadLog() => File.Exists(LogPath) ? File.ReadAllText(LogPath) : "";

    /// <summary>SIGTERM (a graceful stop), then SIGKILL if it has not exited in time.</summary>
    public async Task StopAsync(TimeSpan? grace = null)
    {
        if (_process.HasExited)
        {
            return;
        }
        Signals.Send(_process.Id, Signals.SIGTERM);
        using var cts = new CancellationTokenSource(grace ?? TimeSpan.FromSeconds(15));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
            _process.WaitForExit(10_000);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }
}

/// <summary>A real redis-server on a free port of 127.0.0.1, no persistence, stopped by its pid.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly OwnedProcess _process;

    private RedisServer(OwnedProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }
    public string ConnectionString => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync(string workDir)
    {
        var port = FreePort.Next();
        var process = OwnedProcess.Start("redis-server",
            ["--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", workDir, "--protected-mode", "yes"],
            new Dictionary<string, string>(), Path.Combine(workDir, "redis.log"));
        var server = new RedisServer(process, port);
        if (!await Signals.WaitUntilAsync(server.Answers, TimeSpan.FromSeconds(15)))
        {
            await server.DisposeAsync();
            throw new InvalidOperationException("redis-server did not start: " + process.ReadLog());
        }
        return server;
    }

    private bool Answers()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            stream.Write("PING\r\n"u8);
            var buffer = new byte[16];
            var read = stream.Read(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
