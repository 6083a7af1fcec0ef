using System.Runtime.InteropServices;

namespace Thermo.Cli;

/// <summary>
/// Turns SIGTERM into a stop request instead of an immediate exit. Slurm sends SIGTERM at preemption, at the time
/// limit and at <c>--signal</c> time, and SIGKILL a grace period later (KillWait): a command that finishes its
/// current step and writes a checkpoint in that window loses no work.
/// </summary>
public sealed class PreemptionSignal : IDisposable
{
    static int listening;
    readonly CancellationTokenSource source = new();
    readonly PosixSignalRegistration registration;

    /// <summary>True while a command stops itself at its next checkpoint on SIGTERM (so nothing else acts on the signal).</summary>
    public static bool Listening => Volatile.Read(ref listening) > 0;

    /// <summary>Starts listening for SIGTERM.</summary>
    public PreemptionSignal()
    {
        Interlocked.Increment(ref listening);
        registration = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true; // keep running until the checkpoint is written
            source.Cancel();
        });
    }

    /// <summary>Cancelled once SIGTERM has arrived.</summary>
    public CancellationToken Token => source.Token;

    /// <summary>Restores the default SIGTERM handling.</summary>
    public void Dispose()
    {
        Interlocked.Decrement(ref listening);
        registration.Dispose();
        source.Dispose();
    }
}
