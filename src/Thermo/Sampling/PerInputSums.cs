namespace Thermo.Sampling;

/// <summary>
/// Exact integer sums of <c>width</c> values per input slot, and how many observations each slot had. Each worker adds
/// into its own rows (it owns a contiguous range of slots, <see cref="SamplingContext.WorkerSlots"/>), so
/// <see cref="Observer.Observe"/> needs no lock; <see cref="End"/> folds the rows into 64-bit totals. Integer sums make
/// the result independent of threads and shards. The shared part of the observers that average over samples and chains.
/// </summary>
internal sealed class PerInputSums
{
    int width;
    int[][] partial = [];
    int[][] partialCount = [];
    (int First, int Last)[] ranges = [];
    long[] sums = [];
    long[] counts = [];

    /// <summary>Values summed per slot.</summary>
    public int Width => width;
    /// <summary>Number of input slots.</summary>
    public int Inputs => counts.Length;

    /// <summary>Prepares a run: one row of <paramref name="valuesPerSlot"/> sums per slot and worker.</summary>
    public void Begin(SamplingContext context, int valuesPerSlot)
    {
        width = valuesPerSlot;
        partial = new int[context.Workers][];
        partialCount = new int[context.Workers][];
        ranges = new (int, int)[context.Workers];
        for (int w = 0; w < context.Workers; w++)
        {
            ranges[w] = context.WorkerSlots(w);
            int slots = Math.Max(0, ranges[w].Last - ranges[w].First + 1);
            partial[w] = new int[checked(slots * width)];
            partialCount[w] = new int[slots];
        }
        sums = new long[checked((long)context.InputCount * width)];
        counts = new long[context.InputCount];
    }

    /// <summary>Counts one observation of <paramref name="slot"/> by <paramref name="worker"/> and returns the row to add its values to.</summary>
    public Span<int> Observation(int worker, int slot)
    {
        int row = slot - ranges[worker].First;
        partialCount[worker][row]++;
        return partial[worker].AsSpan(row * width, width);
    }

    /// <summary>Adds every worker's rows into the totals.</summary>
    public void End()
    {
        for (int w = 0; w < partial.Length; w++)
        {
            int first = ranges[w].First;
            for (int r = 0; r < partialCount[w].Length; r++)
            {
                counts[first + r] += partialCount[w][r];
                for (int k = 0; k < width; k++) sums[(long)(first + r) * width + k] += partial[w][r * width + k];
            }
        }
        partial = []; partialCount = [];
    }

    /// <summary>The totals of input <paramref name="slot"/>.</summary>
    public ReadOnlySpan<long> Sums(int slot) => sums.AsSpan(slot * width, width);

    /// <summary>Observations of input <paramref name="slot"/>.</summary>
    public long Count(int slot) => counts[slot];

    /// <summary>The totals of input <paramref name="slot"/> over its observations (NaN when it had none).</summary>
    public float[] Mean(int slot)
    {
        var s = Sums(slot);
        var m = new float[width];
        for (int k = 0; k < m.Length; k++) m[k] = (float)((double)s[k] / counts[slot]);
        return m;
    }
}
