using Thermo.Sampling;

namespace Thermo.Analysis;

/// <summary>
/// Per-sweep traces of group sums Σ_{k∈group} s_k(t) of a layer (e.g. the population of each class in the last
/// block, so the class score at sweep t is the sum over the population size), for every chain and every sweep from
/// sweep 0 (burn-in included), so that any (burn-in T, samples G) with T + G ≤ the run length can be read back.
/// </summary>
public sealed class GroupTraceObserver : Observer
{
    readonly int layer;
    readonly int[][] groups;
    LayerSelection? selection;
    int chains, sweeps;
    short[] data = [];
    sbyte[][] scratch = [];

    /// <summary>Observes the sums over <paramref name="groups"/> (indices into the layer) of layer <paramref name="layer"/>.</summary>
    public GroupTraceObserver(int layer, IReadOnlyList<int[]> groups)
    {
        if (groups.Count == 0) throw new ArgumentException("need at least one group");
        this.layer = layer;
        this.groups = groups.Select(g => (int[])g.Clone()).ToArray();
    }

    /// <summary>Consecutive populations: group c = spins [c·size, (c+1)·size).</summary>
    public static int[][] Populations(int count, int size) =>
        Enumerable.Range(0, count).Select(c => Enumerable.Range(c * size, size).ToArray()).ToArray();

    /// <inheritdoc/>
    public override bool EverySweep => true;
    /// <summary>Number of groups.</summary>
    public int Groups => groups.Length;
    /// <summary>Recorded sweeps per chain (all of them, burn-in included).</summary>
    public int Sweeps => sweeps;

    /// <inheritdoc/>
    public override void Begin(SamplingContext context)
    {
        selection = new LayerSelection(context.Program, [layer]);
        foreach (var g in groups)
            foreach (int k in g)
                if ((uint)k >= (uint)selection.Size) throw new ArgumentException($"group index {k} outside layer {layer} ({selection.Size} spins)");
        chains = context.Chains;
        sweeps = context.Schedule.TotalSweeps;
        data = new short[checked((long)context.Request.Items * sweeps * groups.Length)];
        scratch = new sbyte[context.Workers][];
        for (int w = 0; w < context.Workers; w++) scratch[w] = new sbyte[selection.Size];
    }

    /// <inheritdoc/>
    public override void Observe(int worker, in ChainView view)
    {
        var s = scratch[worker];
        selection!.Read(view, s);
        long item = (long)view.InputSlot * chains + view.Chain;
        var row = data.AsSpan((int)((item * sweeps + view.Sweep) * groups.Length), groups.Length);
        for (int gi = 0; gi < groups.Length; gi++)
        {
            int sum = 0;
            foreach (int k in groups[gi]) sum += s[k];
            row[gi] = (short)sum;
        }
    }

    /// <summary>The group sums of chain (slot, chain) at sweep t: [Groups] values.</summary>
    public ReadOnlySpan<short> At(int slot, int chain, int sweep) =>
        data.AsSpan((int)((((long)slot * chains + chain) * sweeps + sweep) * groups.Length), groups.Length);

    /// <summary>All sweeps of chain (slot, chain): [Sweeps × Groups], sweep-major.</summary>
    public ReadOnlySpan<short> Chain(int slot, int chain) =>
        data.AsSpan((int)(((long)slot * chains + chain) * sweeps * groups.Length), sweeps * groups.Length);
}
