namespace Thermo.Sampling;

/// <summary>
/// Pair correlations ⟨s_i s_j⟩ per input for chosen pairs of global spin indices, averaged over every sample
/// of every chain. Sums are exact integers.
/// </summary>
public sealed class CorrelationObserver : Observer
{
    readonly (int I, int J)[] pairs;
    int[][] partial = [];
    int[][] partialCount = [];
    (int First, int Last)[] ranges = [];
    sbyte[][] scratch = [];
    int[] layerOffsets = [];
    long[] sums = [];
    long[] counts = [];

    /// <summary>Observes the given pairs.</summary>
    public CorrelationObserver(IEnumerable<(int I, int J)> pairs) => this.pairs = pairs.ToArray();

    /// <summary>All pairs i &lt; j among <paramref name="spins"/>.</summary>
    public static CorrelationObserver AllPairs(IReadOnlyList<int> spins)
    {
        var p = new List<(int, int)>();
        for (int a = 0; a < spins.Count; a++) for (int b = a + 1; b < spins.Count; b++) p.Add((spins[a], spins[b]));
        return new CorrelationObserver(p);
    }

    /// <summary>The observed pairs.</summary>
    public IReadOnlyList<(int I, int J)> Pairs => pairs;

    /// <inheritdoc/>
    public override void Begin(SamplingContext context)
    {
        int n = context.Program.SpinCount;
        foreach (var (i, j) in pairs)
            if ((uint)i >= (uint)n || (uint)j >= (uint)n) throw new ArgumentException($"correlation pair ({i}, {j}) out of range (program has {n} spins)");
        layerOffsets = context.Program.LayerOffsets.ToArray();
        partial = new int[context.Workers][];
        partialCount = new int[context.Workers][];
        ranges = new (int, int)[context.Workers];
        scratch = new sbyte[context.Workers][];
        for (int w = 0; w < context.Workers; w++)
        {
            ranges[w] = context.WorkerSlots(w);
            int slots = Math.Max(0, ranges[w].Last - ranges[w].First + 1);
            partial[w] = new int[checked(slots * pairs.Length)];
            partialCount[w] = new int[slots];
            scratch[w] = new sbyte[n];
        }
        sums = new long[checked((long)context.InputCount * pairs.Length)];
        counts = new long[context.InputCount];
    }

    /// <inheritdoc/>
    public override void Observe(int worker, in ChainView view)
    {
        var s = scratch[worker];
        for (int l = 0; l + 1 < layerOffsets.Length; l++) view.ReadLayer(l, s.AsSpan(layerOffsets[l], layerOffsets[l + 1] - layerOffsets[l]));
        int row = view.InputSlot - ranges[worker].First;
        var acc = partial[worker].AsSpan(row * pairs.Length, pairs.Length);
        for (int k = 0; k < pairs.Length; k++) acc[k] += s[pairs[k].I] * s[pairs[k].J];
        partialCount[worker][row]++;
    }

    /// <inheritdoc/>
    public override void End()
    {
        int n = pairs.Length;
        for (int w = 0; w < partial.Length; w++)
        {
            int first = ranges[w].First;
            for (int r = 0; r < partialCount[w].Length; r++)
            {
                counts[first + r] += partialCount[w][r];
                for (int k = 0; k < n; k++) sums[(long)(first + r) * n + k] += partial[w][r * n + k];
            }
        }
        partial = []; partialCount = []; scratch = [];
    }

    /// <summary>Σ s_i s_j per pair for input <paramref name="slot"/>.</summary>
    public ReadOnlySpan<long> Sums(int slot) => sums.AsSpan(slot * pairs.Length, pairs.Length);

    /// <summary>Observations of input <paramref name="slot"/>.</summary>
    public long Count(int slot) => counts[slot];

    /// <summary>⟨s_i s_j⟩ per pair for input <paramref name="slot"/>.</summary>
    public float[] Mean(int slot)
    {
        var s = Sums(slot);
        var m = new float[pairs.Length];
        for (int k = 0; k < m.Length; k++) m[k] = (float)((double)s[k] / counts[slot]);
        return m;
    }
}
