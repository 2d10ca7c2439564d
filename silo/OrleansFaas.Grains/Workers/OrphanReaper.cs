using Microsoft.Extensions.Logging;

namespace OrleansFaas.Grains.Workers;

/// <summary>
/// On start, kills workers (and a zygote) left by an earlier run of this data folder — a silo SIGKILLed
/// before its workers noticed. Only processes whose command line names this data folder are touched.
/// </summary>
public static class OrphanReaper
{
    public static void Reap(string dataDirectory, string pidDirectory, string socketDirectory, ILogger logger)
    {
        if (Directory.Exists(pidDirectory))
        {
            foreach (var file in Directory.GetFiles(pidDirectory, "*.pid"))
            {
                if (int.TryParse(Path.GetFileNameWithoutExtension(file), out var pid) && IsOurs(pid, dataDirectory))
                {
                    logger.LogWarning("Reaping leftover worker process {Pid}", pid);
                    NativeMethods.KillProcessGroup(pid);
                }
                TryDelete(file);
            }
        }
        if (Directory.Exists(socketDirectory))
        {
            foreach (var socket in Directory.GetFiles(socketDirectory))
            {
                TryDelete(socket);
            }
        }
    }

    private static bool IsOurs(int pid, string dataDirectory)
    {
        try
        {
            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
            return cmdline.Contains("faas_worker", StringComparison.Ordinal)
                && cmdline.Contains(Path.TrimEndingDirectorySeparator(dataDirectory) + "/", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }
}
