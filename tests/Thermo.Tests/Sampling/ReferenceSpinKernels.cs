using Thermo.Sampling;

namespace Thermo.Tests.Sampling;

/// <summary>
/// Plain scalar references of the layered samplers' spin kernels, written from the equations in their summaries
/// (channels-last buffers of <see cref="LayerLayout"/>), one loop per term and no vectors, for the kernel tests to
/// compare against.
/// </summary>
internal static class ReferenceSpinKernels
{
    /// <summary>
    /// <see cref="GatherKernel"/>: field[TargetBase[p] + o] += Σ_taps Σ_{c &lt; SourceChannels} W[tap, c, o] ·
    /// spins[SourceBase[p] + TapOffset[tap] + c], summed in double.
    /// </summary>
    public static void Gather(GatherOp op, ReadOnlySpan<float> spins, Span<float> field)
    {
        int cs = op.SourceChannels, ct = op.TargetChannels;
        var w = op.Weights.Span;
        for (int p = 0; p < op.TargetBase.Length; p++)
            for (int o = 0; o < ct; o++)
            {
                double sum = 0;
                for (int tap = 0; tap < op.TapOffset.Length; tap++)
                    for (int c = 0; c < cs; c++)
                        sum += (double)w[(tap * cs + c) * ct + o] * spins[op.SourceBase[p] + op.TapOffset[tap] + c];
                field[op.TargetBase[p] + o] = (float)(field[op.TargetBase[p] + o] + sum);
            }
    }

    /// <summary>
    /// <see cref="FlipGatherKernel"/>: the gather of Δs, where Δs_i = 2·s_i for a spin i whose bit is set in
    /// <paramref name="flips"/> (bit i of the bitmap, spin-buffer offsets) and 0 for every other spin.
    /// </summary>
    public static void FlipGather(GatherOp op, ReadOnlySpan<float> spins, ReadOnlySpan<ulong> flips, Span<float> field)
    {
        var delta = new float[spins.Length];
        for (int i = 0; i < spins.Length; i++)
            if ((flips[i >> 6] >> (i & 63) & 1) != 0) delta[i] = 2 * spins[i];
        Gather(op, delta, field);
    }

    /// <summary>
    /// <see cref="TableGatherKernel"/>: the gather of the spins that <paramref name="codes"/> encode (bit i &amp; 3 of byte
    /// i ≫ 2 set: spin i is +1, else −1) inside the source layer, and 0 in its border.
    /// </summary>
    public static void TableGather(TableOp table, LayerLayout source, ReadOnlySpan<byte> codes, Span<float> field)
    {
        var spins = new float[source.SpinLength];
        for (int i = 0; i < spins.Length; i++)
            if (source.IsInterior(i)) spins[i] = (codes[i >> 2] >> (i & 3) & 1) != 0 ? 1 : -1;
        Gather(table.Op, spins, field);
    }

    /// <summary><see cref="ChannelsLastTranspose"/>: channelsLast[p·Cp + c] = canonical[c·H·W + p].</summary>
    public static void ChannelsLast(LayerLayout layer, ReadOnlySpan<uint> canonical, Span<uint> channelsLast)
    {
        int positions = layer.H * layer.W;
        for (int c = 0; c < layer.C; c++)
            for (int p = 0; p < positions; p++)
                channelsLast[p * layer.Cp + c] = canonical[c * positions + p];
    }

    /// <summary>
    /// <see cref="ThresholdKernel.Initialize"/>: s = +1 where the word's top bit is 0, −1 elsewhere, 0 in padding
    /// channels; code bits set where s = +1.
    /// </summary>
    public static void Initialize(LayerLayout layer, Span<float> spins, ReadOnlySpan<uint> words, Span<byte> codes) =>
        Draw(layer, spins, words, codes, (_, word) => GibbsRule.Initial(word));

    /// <summary>
    /// <see cref="ThresholdKernel.Threshold"/>: s = <see cref="GibbsRule.Update"/>(field, β, word) in real channels, 0 in
    /// padding channels; the bit of every spin that changed is set in <paramref name="flips"/>; returns how many changed.
    /// </summary>
    public static int Threshold(LayerLayout layer, ReadOnlySpan<float> field, Span<float> spins, ReadOnlySpan<uint> words, float beta,
        Span<ulong> flips, Span<byte> codes)
    {
        var before = spins.ToArray();
        var fieldCopy = field.ToArray();
        Draw(layer, spins, words, codes, (fieldIndex, word) => GibbsRule.Update(fieldCopy[fieldIndex], beta, word));
        int changed = 0;
        for (int y = 0; y < layer.H; y++)
            for (int x = 0; x < layer.W; x++)
                for (int c = 0; c < layer.Cp; c++)
                {
                    int i = layer.SpinIndex(c, y, x);
                    bool flipped = spins[i] != before[i];
                    if (flipped) { flips[i >> 6] |= 1UL << (i & 63); changed++; }
                    else flips[i >> 6] &= ~(1UL << (i & 63));
                }
        return changed;
    }

    static void Draw(LayerLayout layer, Span<float> spins, ReadOnlySpan<uint> words, Span<byte> codes, Func<int, uint, sbyte> spin)
    {
        for (int y = 0; y < layer.H; y++)
            for (int x = 0; x < layer.W; x++)
                for (int c = 0; c < layer.Cp; c++)
                {
                    int fieldIndex = layer.FieldIndex(c, y, x), i = layer.SpinIndex(c, y, x);
                    spins[i] = c < layer.C ? spin(fieldIndex, words[fieldIndex]) : 0;
                    if (spins[i] > 0) codes[i >> 2] |= (byte)(1 << (i & 3));
                    else codes[i >> 2] &= (byte)~(1 << (i & 3));
                }
    }
}
