namespace Thermo.Sampling;

/// <summary>
/// Per-sweep traces for autocorrelation analysis: the spins of chosen layers after every sweep (burn-in
/// included unless <c>includeBurnIn</c> is false) of every chain, stored so that one spin's time series
/// s_i(t) is contiguous.
/// </summary>
public sealed class TraceObserver(int[] layers, bool includeBurnIn = true) : Observer
{
    LayerSelection? selection;
    int chains, first, sweeps;
    sbyte[] data = [];
    sbyte[][] scratch = [];

    /// <inheritdoc/>
    public override bool EverySweep => true;
    /// <summary>Spins per chain in the trace.</summary>
    public int Size => selection?.Size ?? 0;
    /// <summary>Recorded sweeps per chain.</summary>
    public int Sweeps => sweeps;
    /// <summary>Sweep number of the first recorded sweep.</summary>
    public int FirstSweep => first;

    /// <inheritdoc/>
    public override void Begin(SamplingContext context)
    {
        selection = new LayerSelection(context.Program, layers);
        chains = context.Chains;
        first = includeBurnIn ? 0 : context.Schedule.BurnIn;
        sweeps = context.Schedule.TotalSweeps - first;
        data = new sbyte[checked((long)context.Request.Items * selection.Size * sweeps)];
        scratch = new sbyte[context.Workers][];
        for (int w = 0; w < context.Workers; w++) scratch[w] = new sbyte[selection.Size];
    }

    /// <inheritdoc/>
    public override void Observe(int worker, in ChainView view)
    {
        int t = view.Sweep - first;
        if (t < 0) return;
        var s = scratch[worker];
        selection!.Read(view, s);
        long item = (long)view.InputSlot * chains + view.Chain;
        long baseIndex = item * s.Length * sweeps + t;
        for (int i = 0; i < s.Length; i++) data[baseIndex + (long)i * sweeps] = s[i];
    }

    /// <summary>s_k(t) for observed spin <paramref name="spin"/> of chain (slot, chain), t = FirstSweep….</summary>
    public ReadOnlySpan<sbyte> Series(int slot, int chain, int spin) =>
        data.AsSpan((int)((((long)slot * chains + chain) * Size + spin) * sweeps), sweeps);
}
