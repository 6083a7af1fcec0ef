namespace Thermo.Sampling;

/// <summary>
/// Time-and-chain-averaged magnetisations m_i = ⟨s_i⟩ per input over every sample of every chain, for chosen
/// layers (all by default). Sums are exact integers, so the result is independent of threads and shards.
/// </summary>
public sealed class MagnetizationObserver(params int[] layers) : Observer
{
    LayerSelection? selection;
    SamplingContext? context;
    readonly PerInputSums totals = new();
    sbyte[][] scratch = [];

    /// <summary>Observed layers (program indices).</summary>
    public IReadOnlyList<int> Layers => selection?.Layers ?? layers;
    /// <summary>Spins per input in the observed layers.</summary>
    public int Size => selection?.Size ?? 0;
    /// <summary>Number of input slots.</summary>
    public int Inputs => totals.Inputs;

    /// <inheritdoc/>
    public override void Begin(SamplingContext context)
    {
        this.context = context;
        selection = new LayerSelection(context.Program, layers);
        totals.Begin(context, selection.Size);
        scratch = new sbyte[context.Workers][];
        for (int w = 0; w < context.Workers; w++) scratch[w] = new sbyte[selection.Size];
    }

    /// <inheritdoc/>
    public override void Observe(int worker, in ChainView view)
    {
        var s = scratch[worker];
        selection!.Read(view, s);
        var acc = totals.Observation(worker, view.InputSlot);
        for (int i = 0; i < s.Length; i++) acc[i] += s[i];
    }

    /// <inheritdoc/>
    public override void End()
    {
        totals.End();
        scratch = [];
    }

    /// <summary>Σ s_i over all observations of input <paramref name="slot"/>.</summary>
    public ReadOnlySpan<long> Sums(int slot) => totals.Sums(slot);

    /// <summary>Number of observations (samples × chains) of input <paramref name="slot"/>.</summary>
    public long Count(int slot) => totals.Count(slot);

    /// <summary>m_i = Σ s_i / count for input <paramref name="slot"/> (NaN when nothing was observed).</summary>
    public float[] Mean(int slot) => totals.Mean(slot);

    /// <summary>Global spin index of observed element <paramref name="k"/>.</summary>
    public int SpinIndex(int k) => selection!.GlobalIndex(context!.Program, k);
}
