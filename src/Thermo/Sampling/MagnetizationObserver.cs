namespace Thermo.Sampling;

/// <summary>
/// Time-and-chain-averaged magnetisations m_i = ⟨s_i⟩ per input over every sample of every chain, for chosen
/// layers (all by default): <see cref="AveragingObserver.Mean"/>.
/// </summary>
public sealed class MagnetizationObserver(params int[] layers) : AveragingObserver
{
    LayerSelection? selection;
    SamplingContext? context;

    /// <summary>Observed layers (program indices).</summary>
    public IReadOnlyList<int> Layers => selection?.Layers ?? layers;
    /// <summary>Spins per input in the observed layers.</summary>
    public int Size => selection?.Size ?? 0;

    /// <inheritdoc/>
    public override void Begin(SamplingContext context)
    {
        this.context = context;
        selection = new LayerSelection(context.Program, layers);
        BeginSums(context, selection.Size, selection.Size);
    }

    /// <inheritdoc/>
    public override void Observe(int worker, in ChainView view)
    {
        var s = Scratch[worker];
        selection!.Read(view, s);
        var acc = Totals.Observation(worker, view.InputSlot);
        for (int i = 0; i < s.Length; i++) acc[i] += s[i];
    }

    /// <summary>Global spin index of observed element <paramref name="k"/>.</summary>
    public int SpinIndex(int k) => selection!.GlobalIndex(context!.Program, k);
}
