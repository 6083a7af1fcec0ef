using System.Runtime.ExceptionServices;

namespace Thermo.Kernels;

/// <summary>
/// Fork/join for the kernels: [0, count) is cut into pieces that the calling thread and up to
/// <see cref="ParallelRange.Threads"/> − 1 pool threads claim one at a time. The caller never waits for a helper
/// that has not started yet (it takes the remaining pieces itself) and otherwise waits only for pieces already in
/// progress, so a second thread still pays off when the operating system is slow to schedule it (a loaded
/// machine). Each piece is a contiguous range, so results do not depend on who ran it.
/// </summary>
internal static class KernelParallel
{
    /// <summary>body(start, end) over [0, count) in <paramref name="pieces"/> contiguous pieces.</summary>
    public static void For(int count, int pieces, Action<int, int> body)
    {
        pieces = Math.Min(pieces, count);
        int threads = Math.Min(ParallelRange.Threads, pieces);
        if (threads <= 1)
        {
            body(0, count);
            return;
        }
        var job = new Job(count, pieces, body);
        for (int t = 1; t < threads; t++) ThreadPool.UnsafeQueueUserWorkItem(static j => j.Help(), job, preferLocal: false);
        job.RunPieces();
        job.WaitForHelpers();
    }

    /// <summary>Pieces for a split among the threads with <paramref name="perThread"/> pieces each.</summary>
    public static int Pieces(int perThread) => Math.Max(1, ParallelRange.Threads * perThread);

    sealed class Job(int count, int pieces, Action<int, int> body)
    {
        int next;
        int inFlight;
        ExceptionDispatchInfo? error;

        public void RunPieces()
        {
            while (true)
            {
                int i = Interlocked.Increment(ref next) - 1;
                if (i >= pieces) return;
                int start = (int)((long)count * i / pieces), end = (int)((long)count * (i + 1) / pieces);
                try { body(start, end); }
                catch (Exception e) { error ??= ExceptionDispatchInfo.Capture(e); }
            }
        }

        public void Help()
        {
            // Announce before claiming: once the caller has seen every piece claimed, any piece still running
            // belongs to a helper counted here.
            Interlocked.Increment(ref inFlight);
            RunPieces();
            if (Interlocked.Decrement(ref inFlight) == 0)
                lock (this) Monitor.PulseAll(this);
        }

        public void WaitForHelpers()
        {
            var spin = new SpinWait();
            while (Volatile.Read(ref inFlight) > 0 && !spin.NextSpinWillYield) spin.SpinOnce();
            if (Volatile.Read(ref inFlight) > 0)
                lock (this)
                    while (Volatile.Read(ref inFlight) > 0) Monitor.Wait(this);
            error?.Throw();
        }
    }
}
