using System.Runtime.InteropServices;

namespace OrleansFaas.Grains.Workers;

internal static partial class NativeMethods
{
    public const int SIGKILL = 9;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>
    /// SIGKILLs a worker's whole process group: a worker makes itself a group leader at start, so any process
    /// its handler forked goes with it.
    /// </summary>
    public static void KillProcessGroup(int pid)
    {
        if (pid > 1)
        {
            Kill(-pid, SIGKILL);
            Kill(pid, SIGKILL);
        }
    }
}
