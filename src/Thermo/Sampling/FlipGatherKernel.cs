using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Thermo.Sampling;

/// <summary>
/// Flip-driven gather: field += op(Δspins) over only the source spins that changed in the last sweep (Δs = 2·s_new),
/// so a sweep that flips few spins costs little. The scalar reference is in the tests (ReferenceSpinKernels.FlipGather).
/// </summary>
internal static unsafe class FlipGatherKernel
{
    /// <summary>
    /// field += op(Δspins) over the source spins whose bit is set in <paramref name="flips"/>, Δs = 2·s_new.
    /// Per class of source positions the flipped spins are compressed into a list (position, channel, Δs);
    /// then for every tap of the class, each list entry adds Δs·W[tap, channel, :] to its target's field.
    /// Cost ∝ flips × fan-out; no branch depends on the data except loop ends.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(GatherOp op, float* src, ulong* flips, float* field, FlipScratch scratch)
    {
        if (op.TargetBase.Length == 1) { ApplySingleTarget(op, src, flips, field, scratch); return; }
        var plan = op.Flips;
        int cs = op.SourceChannels, ct = op.TargetChannels;
        scratch.Ensure(plan.MaxPositions * cs + 16);
        var iota = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        ushort* fw = (ushort*)flips;
        float* w = op.Weights.Pointer;
        fixed (float* delta = scratch.Delta)
        fixed (int* pos = scratch.Position, row = scratch.Row)
        {
            foreach (var cls in plan.Classes)
            {
                int n = 0;
                var offsets = cls.SourceOffset;
                for (int k = 0; k < offsets.Length; k++)
                {
                    int so = offsets[k];
                    for (int g = 0; g < cs; g += 16)
                    {
                        uint m = fw[(so + g) >> 4];
                        if (m == 0) continue;
                        var d = Vector512.Load(src + so + g) * 2f;
                        if (Avx512F.IsSupported)
                        {
                            var mask = ChannelBlock.LaneMask(m);
                            Vector512.Store(Avx512F.Compress(Vector512<float>.Zero, mask.AsSingle(), d), delta + n);
                            Vector512.Store(Avx512F.Compress(Vector512<int>.Zero, mask, iota + Vector512.Create(g)), row + n);
                            Vector512.Store(Vector512.Create(k), pos + n);
                            n += BitOperations.PopCount(m);
                        }
                        else
                            for (int l = 0; l < 16; l++)
                                if ((m & (1u << l)) != 0) { delta[n] = d[l]; row[n] = g + l; pos[n++] = k; }
                    }
                }
                if (n == 0) continue;
                ByChannel(cs, n, delta, row, pos, scratch);
                for (int ti = 0; ti < cls.Taps.Length; ti++)
                    fixed (int* target = cls.Target[ti])
                    {
                        float* wt = w + (long)cls.Taps[ti] * cs * ct;
                        switch (ct)
                        {
                            case 16: FlipTap<OneBlock>(wt, ct, delta, row, pos, n, target, field); break;
                            case 32: FlipTap<TwoBlocks>(wt, ct, delta, row, pos, n, target, field); break;
                            case 48: FlipTap<ThreeBlocks>(wt, ct, delta, row, pos, n, target, field); break;
                            case 64: FlipTap<FourBlocks>(wt, ct, delta, row, pos, n, target, field); break;
                            default: FlipTapWide(wt, ct, delta, row, pos, n, target, field); break;
                        }
                    }
            }
        }
    }

    /// <summary>
    /// Stable counting sort of the flip list by channel: entries of one channel sit at different positions,
    /// so consecutive read-modify-writes (one tap) go to different targets and do not wait on each other.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void ByChannel(int cs, int n, float* delta, int* row, int* pos, FlipScratch scratch)
    {
        if (scratch.Count.Length < cs + 1) scratch.Count = new int[cs + 1];
        scratch.EnsureSorted(n);
        var count = scratch.Count;
        Array.Clear(count, 0, cs + 1);
        for (int e = 0; e < n; e++) count[row[e] + 1]++;
        for (int c = 0; c < cs; c++) count[c + 1] += count[c];
        fixed (float* d2 = scratch.Delta2) fixed (int* r2 = scratch.Row2, p2 = scratch.Position2)
        {
            for (int e = 0; e < n; e++)
            {
                int k = count[row[e]]++;
                d2[k] = delta[e]; r2[k] = row[e]; p2[k] = pos[e];
            }
            new ReadOnlySpan<float>(d2, n).CopyTo(new Span<float>(delta, n));
            new ReadOnlySpan<int>(r2, n).CopyTo(new Span<int>(row, n));
            new ReadOnlySpan<int>(p2, n).CopyTo(new Span<int>(pos, n));
        }
    }

    /// <summary>
    /// Entries are taken from four quarters of the list in turn: neighbouring entries share a source position,
    /// hence (for one tap) a target, and back-to-back read-modify-writes of one target would serialise.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void FlipTap<TBlocks>(float* wt, int ct, float* delta, int* row, int* pos, int n, int* target, float* field) where TBlocks : struct, IChannelBlocks
    {
        int q = n >> 2;
        for (int e = 0; e < q; e++)
        {
            AddWeightRow<TBlocks>(wt, ct, delta[e], row[e], field + target[pos[e]]);
            AddWeightRow<TBlocks>(wt, ct, delta[e + q], row[e + q], field + target[pos[e + q]]);
            AddWeightRow<TBlocks>(wt, ct, delta[e + 2 * q], row[e + 2 * q], field + target[pos[e + 2 * q]]);
            AddWeightRow<TBlocks>(wt, ct, delta[e + 3 * q], row[e + 3 * q], field + target[pos[e + 3 * q]]);
        }
        for (int e = 4 * q; e < n; e++) AddWeightRow<TBlocks>(wt, ct, delta[e], row[e], field + target[pos[e]]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void AddWeightRow<TBlocks>(float* wt, int ct, float delta, int row, float* f) where TBlocks : struct, IChannelBlocks
    {
        int nb = TBlocks.Count;
        var d = Vector512.Create(delta);
        float* wr = wt + (long)row * ct;
        Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(wr), d, Vector512.Load(f)), f);
        if (nb >= 2) Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(wr + 16), d, Vector512.Load(f + 16)), f + 16);
        if (nb >= 3) Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(wr + 32), d, Vector512.Load(f + 32)), f + 32);
        if (nb >= 4) Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(wr + 48), d, Vector512.Load(f + 48)), f + 48);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void FlipTapWide(float* wt, int ct, float* delta, int* row, int* pos, int n, int* target, float* field)
    {
        for (int e = 0; e < n; e++)
        {
            var d = Vector512.Create(delta[e]);
            float* wr = wt + (long)row[e] * ct;
            float* f = field + target[pos[e]];
            for (int o = 0; o < ct; o += 16)
                Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(wr + o), d, Vector512.Load(f + o)), f + o);
        }
    }

    /// <summary>
    /// Flip-driven update of an op with a single target position (a dense block): the flipped spins are
    /// listed once, then each 16-channel block of the target sums Σ_e Δs_e·W[tap_e, channel_e, :] in four
    /// independent registers before one read-modify-write.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void ApplySingleTarget(GatherOp op, float* src, ulong* flips, float* field, FlipScratch scratch)
    {
        int cs = op.SourceChannels, ct = op.TargetChannels, taps = op.TapOffset.Length, sb = op.SourceBase[0];
        scratch.Ensure(taps * cs + 16);
        var iota = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        ushort* fw = (ushort*)flips;
        float* w = op.Weights.Pointer;
        fixed (float* delta = scratch.Delta)
        fixed (int* row = scratch.Row)
        {
            int n = 0;
            for (int t = 0; t < taps; t++)
            {
                int so = sb + op.TapOffset[t];
                for (int g = 0; g < cs; g += 16)
                {
                    uint m = fw[(so + g) >> 4];
                    if (m == 0) continue;
                    var d = Vector512.Load(src + so + g) * 2f;
                    var r = iota + Vector512.Create(t * cs + g); // weight row = tap·SourceChannels + channel
                    if (Avx512F.IsSupported)
                    {
                        var mask = ChannelBlock.LaneMask(m);
                        Vector512.Store(Avx512F.Compress(Vector512<float>.Zero, mask.AsSingle(), d), delta + n);
                        Vector512.Store(Avx512F.Compress(Vector512<int>.Zero, mask, r), row + n);
                        n += BitOperations.PopCount(m);
                    }
                    else
                        for (int l = 0; l < 16; l++)
                            if ((m & (1u << l)) != 0) { delta[n] = d[l]; row[n++] = r[l]; }
                }
            }
            float* f = field + op.TargetBase[0];
            for (int o = 0; o < ct; o += 16)
            {
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                int e = 0;
                for (; e + 4 <= n; e += 4)
                {
                    a0 = Vector512.FusedMultiplyAdd(Vector512.Load(w + (long)row[e] * ct + o), Vector512.Create(delta[e]), a0);
                    a1 = Vector512.FusedMultiplyAdd(Vector512.Load(w + (long)row[e + 1] * ct + o), Vector512.Create(delta[e + 1]), a1);
                    a2 = Vector512.FusedMultiplyAdd(Vector512.Load(w + (long)row[e + 2] * ct + o), Vector512.Create(delta[e + 2]), a2);
                    a3 = Vector512.FusedMultiplyAdd(Vector512.Load(w + (long)row[e + 3] * ct + o), Vector512.Create(delta[e + 3]), a3);
                }
                for (; e < n; e++) a0 = Vector512.FusedMultiplyAdd(Vector512.Load(w + (long)row[e] * ct + o), Vector512.Create(delta[e]), a0);
                ChannelBlock.AddTo(f + o, (a0 + a1) + (a2 + a3));
            }
        }
    }
}
