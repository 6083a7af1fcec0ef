namespace Thermo.Sampling;

/// <summary>
/// A <see cref="GatherOp"/> for ±1 spins as table look-ups: source channels are taken in groups of four,
/// and for each (tap, group) the 16 signed sums T[n] = Σ_k (bit k of n ? +W_k : −W_k) are precomputed, so
/// Σ_c W_c s_c over a group is one row T[code], code = the group's spins as 4 bits: four multiply-adds become
/// one add. Taps are the outer loop so one tap's table (16·groups·TargetChannels floats) is reused by every target;
/// border taps, which read the zero padding, are skipped by listing each tap's valid targets.
/// </summary>
internal sealed class TableOp
{
    public GatherOp Op { get; }
    /// <summary>[tap][group][16][TargetChannels], 64-byte aligned.</summary>
    public AlignedArray<float> Table { get; }
    public int Groups { get; }
    /// <summary>For each tap, the indices of target positions whose source for that tap is inside the layer.</summary>
    public int[][] ValidTargets { get; }

    public TableOp(GatherOp op, Func<int, bool> insideSource)
    {
        Op = op;
        int cs = op.SourceChannels, ct = op.TargetChannels, taps = op.TapOffset.Length;
        Groups = cs / 4;
        Table = new AlignedArray<float>(checked(taps * Groups * 16 * ct));
        var table = Table.Span;
        var weights = op.Weights.Span;
        for (int t = 0; t < taps; t++)
            for (int g = 0; g < Groups; g++)
                for (int n = 0; n < 16; n++)
                {
                    long dst = (((long)t * Groups + g) * 16 + n) * ct;
                    for (int o = 0; o < ct; o++)
                    {
                        float sum = 0;
                        for (int k = 0; k < 4; k++)
                        {
                            float w = weights[(int)(((long)t * cs + 4 * g + k) * ct + o)];
                            sum += ((n >> k) & 1) != 0 ? w : -w;
                        }
                        table[(int)dst + o] = sum;
                    }
                }
        ValidTargets = new int[taps][];
        for (int t = 0; t < taps; t++)
            ValidTargets[t] = Enumerable.Range(0, op.TargetBase.Length).Where(p => insideSource(op.SourceBase[p] + op.TapOffset[t])).ToArray();
    }

    /// <summary>Bytes of the table.</summary>
    public long Bytes => (long)Table.Length * 4;
}
