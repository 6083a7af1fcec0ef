namespace Thermo.Sampling;

/// <summary>
/// Time-and-chain-averaged magnetisations m_i = ⟨s_i⟩ per input over every sample of every chain, for chosen
/// layers (all by default). Sums are exact integers, so the result is independent of threads and shards.
/// </summary>
public sealed class MagnetizationObserver(params int[] layers) : Observer
{
    LayerSelection? selection;
    SamplingContext? context;
    int[][] partial = [];
    int[][] partialCount = [];
    (int First, int Last)[] ranges = [];
    sbyte[][] scratch = [];
    long[] sums = [];
    long[] counts = [];

    /// <summary>Observed layers (program indices).</summary>
    public IReadOnlyList<int> Layers => selection?.Layers ?? layers;
    /// <summary>Spins per input in the observed layers.</summary>
    public int Size => selection?.Size ?? 0;
    /// <summary>Number of input slots.</summary>
    public int Inputs => counts.Length;

    /// <inheritdoc/>
    public override void Begin(SamplingContext context)
    {
        this.context = context;
        selection = new LayerSelection(context.Program, layers);
        int n = selection.Size;
        partial = new int[context.Workers][];
        partialCount = new int[context.Workers][];
        ranges = new (int, int)[context.Workers];
        scratch = new sbyte[context.Workers][];
        for (int w = 0; w < context.Workers; w++)
        {
            ranges[w] = context.WorkerSlots(w);
            int slots = Math.Max(0, ranges[w].Last - ranges[w].First + 1);
            partial[w] = new int[checked(slots * n)];
            partialCount[w] = new int[slots];
            scratch[w] = new sbyte[n];
        }
        sums = new long[checked((long)context.InputCount * n)];
        counts = new long[context.InputCount];
    }

    /// <inheritdoc/>
    public override void Observe(int worker, in ChainView view)
    {
        var s = scratch[worker];
        selection!.Read(view, s);
        int row = view.InputSlot - ranges[worker].First, n = s.Length;
        var acc = partial[worker].AsSpan(row * n, n);
        for (int i = 0; i < n; i++) acc[i] += s[i];
        partialCount[worker][row]++;
    }

    /// <inheritdoc/>
    public override void End()
    {
        int n = selection!.Size;
        for (int w = 0; w < partial.Length; w++)
        {
            int first = ranges[w].First;
            for (int r = 0; r < partialCount[w].Length; r++)
            {
                counts[first + r] += partialCount[w][r];
                for (int i = 0; i < n; i++) sums[(long)(first + r) * n + i] += partial[w][r * n + i];
            }
        }
        partial = []; partialCount = []; scratch = [];
    }

    /// <summary>Σ s_i over all observations of input <paramref name="slot"/>.</summary>
    public ReadOnlySpan<long> Sums(int slot) => sums.AsSpan(slot * Size, Size);

    /// <summary>Number of observations (samples × chains) of input <paramref name="slot"/>.</summary>
    public long Count(int slot) => counts[slot];

    /// <summary>m_i = Σ s_i / count for input <paramref name="slot"/> (NaN when nothing was observed).</summary>
    public float[] Mean(int slot)
    {
        var m = new float[Size];
        var s = Sums(slot);
        for (int i = 0; i < m.Length; i++) m[i] = (float)((double)s[i] / counts[slot]);
        return m;
    }

    /// <summary>Global spin index of observed element <paramref name="k"/>.</summary>
    public int SpinIndex(int k) => selection!.GlobalIndex(context!.Program, k);
}
