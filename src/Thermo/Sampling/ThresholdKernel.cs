using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Thermo.Sampling;

/// <summary>
/// Draws a layer's spins: from its Philox words alone (<see cref="Initialize"/>) or from its fields by the Gibbs rule
/// (<see cref="Threshold"/>), recording which spins flipped and the 4-bit sign codes table gathers read. The scalar
/// reference is in the tests (ReferenceSpinKernels.Initialize, ReferenceSpinKernels.Threshold).
/// </summary>
internal static unsafe class ThresholdKernel
{
    /// <summary>
    /// The initial state of a layer: s = +1 where the word's top bit is 0 (uniform &lt; 1/2), −1 elsewhere, 0 in
    /// padding channels; <paramref name="words"/> channels-last like <see cref="ThresholdKernel.Threshold"/>. Also writes codes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Initialize(LayerLayout lay, float* spins, uint* words, byte* codes)
    {
        int cp = lay.Cp;
        var laneIdx = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        var one = Vector512<float>.One;
        for (int y = 0; y < lay.H; y++)
            for (int x = 0; x < lay.W; x++)
            {
                uint* w = words + (y * lay.W + x) * cp;
                int si = lay.SpinIndex(0, y, x);
                for (int cb = 0; cb < cp; cb += 16)
                {
                    var up = Vector512.Equals(Vector512.Load(w + cb) >> 31, Vector512<uint>.Zero).AsSingle();
                    var ns = Vector512.ConditionalSelect(up, one, -one);
                    if (cb + 16 > lay.C) ns &= Vector512.LessThan(laneIdx + Vector512.Create(cb), Vector512.Create(lay.C)).AsSingle();
                    Vector512.Store(ns, spins + si + cb);
                    if (codes != null) WriteCodes(codes, si + cb, ns);
                }
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void WriteCodes(byte* codes, int offset, Vector512<float> spins)
    {
        // One byte per group of 4 channels: bit k set when channel 4g+k is +1.
        uint up16 = (uint)Vector512.ExtractMostSignificantBits(Vector512.GreaterThan(spins, Vector512<float>.Zero));
        *(uint*)(codes + (offset >> 2)) = Bmi2.IsSupported ? Bmi2.ParallelBitDeposit(up16, 0x0F0F0F0Fu)
            : (up16 & 0xF) | ((up16 & 0xF0) << 4) | ((up16 & 0xF00) << 8) | ((up16 & 0xF000) << 12);
    }

    /// <summary>
    /// New spins of a whole layer from its fields: s = +1 where <see cref="GibbsRule.UpdateMask"/> says so, −1
    /// elsewhere, 0 in padding channels. <paramref name="words"/> holds the layer's Philox words channels-last
    /// ([H·W][Cp], see <see cref="ChannelsLastTranspose.Apply"/>). When <paramref name="flips"/> is not null, the bit of
    /// every spin that changed is written there. Returns the number of changed spins (0 without tracking).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Threshold(LayerLayout lay, float* field, float* spins, uint* words, float beta, ulong* flips, byte* codes = null)
    {
        int cp = lay.Cp, changed = 0;
        var laneIdx = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        var one = Vector512<float>.One;
        ushort* flipWords = (ushort*)flips;
        for (int y = 0; y < lay.H; y++)
            for (int x = 0; x < lay.W; x++)
            {
                int pos = y * lay.W + x;
                float* f = field + pos * cp;
                uint* w = words + pos * cp;
                int si = lay.SpinIndex(0, y, x);
                float* s = spins + si;
                for (int cb = 0; cb < cp; cb += 16)
                {
                    var up = GibbsRule.UpdateMask(Vector512.Load(f + cb), beta, Vector512.Load(w + cb));
                    var ns = Vector512.ConditionalSelect(up, one, -one);
                    if (cb + 16 > lay.C) ns &= Vector512.LessThan(laneIdx + Vector512.Create(cb), Vector512.Create(lay.C)).AsSingle();
                    if (flips != null)
                    {
                        uint same = (uint)Vector512.ExtractMostSignificantBits(Vector512.Equals(Vector512.Load(s + cb), ns));
                        uint bits = ~same & 0xFFFF;
                        flipWords[(si + cb) >> 4] = (ushort)bits;
                        changed += BitOperations.PopCount(bits);
                    }
                    Vector512.Store(ns, s + cb);
                    if (codes != null) WriteCodes(codes, si + cb, ns);
                }
            }
        return changed;
    }
}
