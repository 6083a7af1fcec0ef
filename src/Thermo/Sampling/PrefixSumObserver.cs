namespace Thermo.Sampling;

/// <summary>
/// Running sums Σ_{g&lt;G} s_i(g) of a layer's spins over the first G samples of every chain, kept for several G
/// (<c>checkpoints</c>). Chains are keyed by (seed, input, chain, sweep), so the first G samples of a long run are
/// exactly the samples of a run with G samples: one run yields the sign-average readout of every G ≤ G_max.
/// </summary>
public sealed class PrefixSumObserver(int layer, int[] checkpoints) : Observer
{
    LayerSelection? selection;
    int chains, size;
    int[] running = [];
    short[] snapshots = [];
    sbyte[][] scratch = [];
    readonly int[] points = ValidCheckpoints(checkpoints);

    /// <summary>The sample counts G at which sums are kept, ascending.</summary>
    public IReadOnlyList<int> Checkpoints => points;
    /// <summary>Spins of the observed layer.</summary>
    public int Size => size;

    static int[] ValidCheckpoints(int[] g)
    {
        if (g.Length == 0) throw new ArgumentException("need at least one checkpoint");
        for (int i = 0; i < g.Length; i++)
            if (g[i] < 1 || g[i] > short.MaxValue || (i > 0 && g[i] <= g[i - 1]))
                throw new ArgumentException($"checkpoints must be ascending sample counts in [1, {short.MaxValue}], got [{string.Join(", ", g)}]");
        return (int[])g.Clone();
    }

    /// <inheritdoc/>
    public override void Begin(SamplingContext context)
    {
        if (points[^1] > context.Schedule.Samples)
            throw new ArgumentException($"checkpoint G = {points[^1]} exceeds the schedule's {context.Schedule.Samples} samples");
        selection = new LayerSelection(context.Program, [layer]);
        size = selection.Size;
        chains = context.Chains;
        running = new int[checked(context.Request.Items * size)];
        snapshots = new short[checked((long)context.Request.Items * points.Length * size)];
        scratch = new sbyte[context.Workers][];
        for (int w = 0; w < context.Workers; w++) scratch[w] = new sbyte[size];
    }

    /// <inheritdoc/>
    public override void Observe(int worker, in ChainView view)
    {
        var s = scratch[worker];
        selection!.Read(view, s);
        int item = view.InputSlot * chains + view.Chain;
        var acc = running.AsSpan(item * size, size);
        for (int i = 0; i < size; i++) acc[i] += s[i];
        int j = Array.BinarySearch(points, view.Sample + 1);
        if (j < 0) return;
        var snap = snapshots.AsSpan((item * points.Length + j) * size, size);
        for (int i = 0; i < size; i++) snap[i] = (short)acc[i];
    }

    /// <inheritdoc/>
    public override void End() => running = [];

    /// <summary>Σ_{g &lt; Checkpoints[j]} s(g) of every spin of chain (slot, chain).</summary>
    public ReadOnlySpan<short> Sums(int slot, int chain, int checkpoint) =>
        snapshots.AsSpan(((slot * chains + chain) * points.Length + checkpoint) * size, size);
}
