using System.Runtime.InteropServices;

namespace Thermo.Tests.Cluster;

/// <summary>Sends a signal to a process, as Slurm and mpirun do (.NET's Process.Kill only sends SIGKILL).</summary>
internal static partial class PosixKill
{
    public const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public static void Send(int pid, int signal)
    {
        if (Kill(pid, signal) != 0) throw new InvalidOperationException($"kill({pid}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}");
    }
}
