namespace Thermo.Sampling;

/// <summary>
/// Pair correlations ⟨s_i s_j⟩ per input for chosen pairs of global spin indices, averaged over every sample
/// of every chain: <see cref="AveragingObserver.Mean"/>, one value per pair.
/// </summary>
public sealed class CorrelationObserver : AveragingObserver
{
    readonly (int I, int J)[] pairs;
    int[] layerOffsets = [];

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
        BeginSums(context, pairs.Length, n);
    }

    /// <inheritdoc/>
    public override void Observe(int worker, in ChainView view)
    {
        var s = Scratch[worker];
        for (int l = 0; l + 1 < layerOffsets.Length; l++) view.ReadLayer(l, s.AsSpan(layerOffsets[l], layerOffsets[l + 1] - layerOffsets[l]));
        var acc = Totals.Observation(worker, view.InputSlot);
        for (int k = 0; k < pairs.Length; k++) acc[k] += s[pairs[k].I] * s[pairs[k].J];
    }
}
