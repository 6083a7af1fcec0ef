namespace Thermo.Kernels;

/// <summary>
/// Splits index ranges across the worker threads. Work below minPerThread items per
/// thread runs inline: on a 2-core machine the fork cost (~µs) dominates small kernels.
/// </summary>
public static class ParallelRange
{
    /// <summary>Threads used by kernels (default: processor count). Set by <c>--threads</c>.</summary>
    public static int Threads { get; set; } = Environment.ProcessorCount;

    /// <summary>Runs body(start, end) over [0, count) in at most <see cref="Threads"/> contiguous chunks.</summary>
    public static void For(int count, int minPerThread, Action<int, int> body)
    {
        int chunks = Math.Min(Threads, Math.Max(1, count / Math.Max(1, minPerThread)));
        if (chunks <= 1) { body(0, count); return; }
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks }, c =>
        {
            int start = (int)((long)count * c / chunks), end = (int)((long)count * (c + 1) / chunks);
            body(start, end);
        });
    }
}
