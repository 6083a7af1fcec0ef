using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Thermo.Sampling;

/// <summary>
/// Fused kernels of the layered samplers on channels-last float buffers: full gather ops (every source
/// spin), flip-driven gather ops (only spins that changed, Δs = 2·s_new), and the threshold that draws a
/// layer's new spins from its fields. Vectorised over 16 channels; blocks of 4 positions × 64 channels keep
/// 16 accumulators in registers so each weight load feeds 4 multiply-adds.
/// </summary>
internal static unsafe class SpinKernels
{
    interface IBlocks { static abstract int Count { get; } }
    struct B1 : IBlocks { public static int Count => 1; }
    struct B2 : IBlocks { public static int Count => 2; }
    struct B3 : IBlocks { public static int Count => 3; }
    struct B4 : IBlocks { public static int Count => 4; }

    /// <summary>field += op(spins) over every source spin.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(GatherOp op, float* src, float* field)
    {
        float* w = op.Weights.Pointer;
        fixed (int* tb = op.TargetBase, sb = op.SourceBase, taps = op.TapOffset)
        {
            int positions = op.TargetBase.Length, ct = op.CT;
            for (int o = 0; o < ct; o += 64)
            {
                int blocks = Math.Min(4, (ct - o) / 16);
                switch (blocks)
                {
                    case 4: ApplyBlocks<B4>(op, src, field, w + o, tb, sb, taps, positions, o); break;
                    case 3: ApplyBlocks<B3>(op, src, field, w + o, tb, sb, taps, positions, o); break;
                    case 2: ApplyBlocks<B2>(op, src, field, w + o, tb, sb, taps, positions, o); break;
                    default: ApplyBlocks<B1>(op, src, field, w + o, tb, sb, taps, positions, o); break;
                }
            }
        }
    }

    static void ApplyBlocks<TB>(GatherOp op, float* src, float* field, float* w, int* tb, int* sb, int* taps, int positions, int o) where TB : struct, IBlocks
    {
        int p = 0;
        for (; p + 4 <= positions; p += 4)
            Block4<TB>(w, op.CT, op.CS, taps, op.TapOffset.Length, src + sb[p], src + sb[p + 1], src + sb[p + 2], src + sb[p + 3],
                field + tb[p] + o, field + tb[p + 1] + o, field + tb[p + 2] + o, field + tb[p + 3] + o);
        for (; p < positions; p++)
            Block1<TB>(w, op.CT, op.CS, taps, op.TapOffset.Length, src + sb[p], field + tb[p] + o);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Block4<TB>(float* w, int ct, int cs, int* taps, int ntaps, float* s0, float* s1, float* s2, float* s3,
        float* f0, float* f1, float* f2, float* f3) where TB : struct, IBlocks
    {
        int nb = TB.Count;
        Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
        Vector512<float> a30 = default, a31 = default, a32 = default, a33 = default;
        for (int t = 0; t < ntaps; t++)
        {
            float* wt = w + (long)t * cs * ct;
            float* x0 = s0 + taps[t], x1 = s1 + taps[t], x2 = s2 + taps[t], x3 = s3 + taps[t];
            for (int c = 0; c < cs; c++)
            {
                float* wc = wt + (long)c * ct;
                var b0 = Vector512.Create(x0[c]); var b1 = Vector512.Create(x1[c]);
                var b2 = Vector512.Create(x2[c]); var b3 = Vector512.Create(x3[c]);
                var w0 = Vector512.Load(wc);
                a00 = Vector512.FusedMultiplyAdd(w0, b0, a00); a10 = Vector512.FusedMultiplyAdd(w0, b1, a10);
                a20 = Vector512.FusedMultiplyAdd(w0, b2, a20); a30 = Vector512.FusedMultiplyAdd(w0, b3, a30);
                if (nb >= 2)
                {
                    var w1 = Vector512.Load(wc + 16);
                    a01 = Vector512.FusedMultiplyAdd(w1, b0, a01); a11 = Vector512.FusedMultiplyAdd(w1, b1, a11);
                    a21 = Vector512.FusedMultiplyAdd(w1, b2, a21); a31 = Vector512.FusedMultiplyAdd(w1, b3, a31);
                }
                if (nb >= 3)
                {
                    var w2 = Vector512.Load(wc + 32);
                    a02 = Vector512.FusedMultiplyAdd(w2, b0, a02); a12 = Vector512.FusedMultiplyAdd(w2, b1, a12);
                    a22 = Vector512.FusedMultiplyAdd(w2, b2, a22); a32 = Vector512.FusedMultiplyAdd(w2, b3, a32);
                }
                if (nb >= 4)
                {
                    var w3 = Vector512.Load(wc + 48);
                    a03 = Vector512.FusedMultiplyAdd(w3, b0, a03); a13 = Vector512.FusedMultiplyAdd(w3, b1, a13);
                    a23 = Vector512.FusedMultiplyAdd(w3, b2, a23); a33 = Vector512.FusedMultiplyAdd(w3, b3, a33);
                }
            }
        }
        Add(f0, a00); Add(f1, a10); Add(f2, a20); Add(f3, a30);
        if (nb >= 2) { Add(f0 + 16, a01); Add(f1 + 16, a11); Add(f2 + 16, a21); Add(f3 + 16, a31); }
        if (nb >= 3) { Add(f0 + 32, a02); Add(f1 + 32, a12); Add(f2 + 32, a22); Add(f3 + 32, a32); }
        if (nb >= 4) { Add(f0 + 48, a03); Add(f1 + 48, a13); Add(f2 + 48, a23); Add(f3 + 48, a33); }
    }

    /// <summary>One position; the reduction is split over 4 (one block) or 2 (two blocks) accumulators to hide FMA latency.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Block1<TB>(float* w, int ct, int cs, int* taps, int ntaps, float* s0, float* f0) where TB : struct, IBlocks
    {
        int nb = TB.Count;
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        Vector512<float> e0 = default, e1 = default, e2 = default, e3 = default;
        for (int t = 0; t < ntaps; t++)
        {
            float* wt = w + (long)t * cs * ct;
            float* x0 = s0 + taps[t];
            int c = 0;
            if (nb <= 2)
            {
                for (; c + 2 <= cs; c += 2)
                {
                    float* wc = wt + (long)c * ct;
                    var b0 = Vector512.Create(x0[c]); var b1 = Vector512.Create(x0[c + 1]);
                    a0 = Vector512.FusedMultiplyAdd(Vector512.Load(wc), b0, a0);
                    e0 = Vector512.FusedMultiplyAdd(Vector512.Load(wc + ct), b1, e0);
                    if (nb >= 2)
                    {
                        a1 = Vector512.FusedMultiplyAdd(Vector512.Load(wc + 16), b0, a1);
                        e1 = Vector512.FusedMultiplyAdd(Vector512.Load(wc + ct + 16), b1, e1);
                    }
                }
            }
            for (; c < cs; c++)
            {
                float* wc = wt + (long)c * ct;
                var b0 = Vector512.Create(x0[c]);
                a0 = Vector512.FusedMultiplyAdd(Vector512.Load(wc), b0, a0);
                if (nb >= 2) a1 = Vector512.FusedMultiplyAdd(Vector512.Load(wc + 16), b0, a1);
                if (nb >= 3) a2 = Vector512.FusedMultiplyAdd(Vector512.Load(wc + 32), b0, a2);
                if (nb >= 4) a3 = Vector512.FusedMultiplyAdd(Vector512.Load(wc + 48), b0, a3);
            }
        }
        Add(f0, a0 + e0);
        if (nb >= 2) Add(f0 + 16, a1 + e1);
        if (nb >= 3) Add(f0 + 32, a2 + e2);
        if (nb >= 4) Add(f0 + 48, a3 + e3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Add(float* f, Vector512<float> v) => Vector512.Store(Vector512.Load(f) + v, f);

    /// <summary>Scratch for <see cref="ApplyFlips"/>: one flip list (position, channel, Δs).</summary>
    internal sealed class FlipScratch
    {
        public int[] Position = new int[64];
        public int[] Row = new int[64];
        public float[] Delta = new float[64];

        public int[] Position2 = new int[64];
        public int[] Row2 = new int[64];
        public float[] Delta2 = new float[64];
        public int[] Count = new int[65];

        public void Ensure(int entries)
        {
            if (Position.Length >= entries) return;
            Position = new int[entries]; Row = new int[entries]; Delta = new float[entries];
        }

        public void EnsureSorted(int entries)
        {
            if (Position2.Length >= entries) return;
            Position2 = new int[entries]; Row2 = new int[entries]; Delta2 = new float[entries];
        }
    }

    /// <summary>
    /// field += op(Δspins) over the source spins whose bit is set in <paramref name="flips"/>, Δs = 2·s_new.
    /// Per class of source positions the flipped spins are compressed into a list (position, channel, Δs);
    /// then for every tap of the class, each list entry adds Δs·W[tap, channel, :] to its target's field.
    /// Cost ∝ flips × fan-out; no branch depends on the data except loop ends.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ApplyFlips(GatherOp op, float* src, ulong* flips, float* field, FlipScratch scratch)
    {
        if (op.TargetBase.Length == 1) { ApplyFlipsSingleTarget(op, src, flips, field, scratch); return; }
        var plan = op.Flips;
        int cs = op.CS, ct = op.CT;
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
                            var mask = LaneMask(m);
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
                            case 16: FlipTap<B1>(wt, ct, delta, row, pos, n, target, field); break;
                            case 32: FlipTap<B2>(wt, ct, delta, row, pos, n, target, field); break;
                            case 48: FlipTap<B3>(wt, ct, delta, row, pos, n, target, field); break;
                            case 64: FlipTap<B4>(wt, ct, delta, row, pos, n, target, field); break;
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector512<int> LaneMask(uint m) =>
        ~Vector512.Equals(Vector512.Create((int)m) & Vector512.Create(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768), Vector512<int>.Zero);

    /// <summary>
    /// Entries are taken from four quarters of the list in turn: neighbouring entries share a source position,
    /// hence (for one tap) a target, and back-to-back read-modify-writes of one target would serialise.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void FlipTap<TB>(float* wt, int ct, float* delta, int* row, int* pos, int n, int* target, float* field) where TB : struct, IBlocks
    {
        int q = n >> 2;
        for (int e = 0; e < q; e++)
        {
            One<TB>(wt, ct, delta[e], row[e], field + target[pos[e]]);
            One<TB>(wt, ct, delta[e + q], row[e + q], field + target[pos[e + q]]);
            One<TB>(wt, ct, delta[e + 2 * q], row[e + 2 * q], field + target[pos[e + 2 * q]]);
            One<TB>(wt, ct, delta[e + 3 * q], row[e + 3 * q], field + target[pos[e + 3 * q]]);
        }
        for (int e = 4 * q; e < n; e++) One<TB>(wt, ct, delta[e], row[e], field + target[pos[e]]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void One<TB>(float* wt, int ct, float delta, int row, float* f) where TB : struct, IBlocks
    {
        int nb = TB.Count;
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
    static void ApplyFlipsSingleTarget(GatherOp op, float* src, ulong* flips, float* field, FlipScratch scratch)
    {
        int cs = op.CS, ct = op.CT, taps = op.TapOffset.Length, sb = op.SourceBase[0];
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
                    var r = iota + Vector512.Create(t * cs + g); // weight row = tap·CS + channel
                    if (Avx512F.IsSupported)
                    {
                        var mask = LaneMask(m);
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
                Add(f + o, (a0 + a1) + (a2 + a3));
            }
        }
    }

    /// <summary>
    /// field += op(spins) through the sign-pattern tables of <paramref name="op"/>: for each tap, each valid
    /// target adds one table row per group of four source channels, selected by the group's 4-bit code.
    /// <paramref name="codes"/> holds one byte per group of 4 spins of the source buffer (see <see cref="Threshold"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ApplyTable(TableOp op, byte* codes, float* field)
    {
        var g = op.Op;
        int ct = g.CT, groups = op.Groups, taps = g.TapOffset.Length;
        float* table = op.Table.Pointer;
        fixed (int* tb = g.TargetBase, sb = g.SourceBase)
        {
            for (int t = 0; t < taps; t++)
            {
                float* tt = table + (long)t * groups * 16 * ct;
                int tapOffset = g.TapOffset[t];
                fixed (int* valid = op.ValidTargets[t])
                {
                    int nv = op.ValidTargets[t].Length;
                    int step = 64;
                    for (int o = 0; o < ct; o += step)
                    {
                        int blocks = Math.Min(step, ct - o) / 16;
                        switch (blocks)
                        {
                            case 4: TableTap<B4>(tt + o, ct, groups, codes, tapOffset, sb, tb, valid, nv, field + o); break;
                            case 3: TableTap<B3>(tt + o, ct, groups, codes, tapOffset, sb, tb, valid, nv, field + o); break;
                            case 2: TableTap<B2>(tt + o, ct, groups, codes, tapOffset, sb, tb, valid, nv, field + o); break;
                            default: TableTap<B1>(tt + o, ct, groups, codes, tapOffset, sb, tb, valid, nv, field + o); break;
                        }
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void TableTap<TB>(float* tt, int ct, int groups, byte* codes, int tapOffset, int* sb, int* tb, int* valid, int nv, float* field) where TB : struct, IBlocks
    {
        int nb = TB.Count;
        long groupStride = (long)16 * ct;
        for (int v = 0; v < nv; v++)
        {
            int p = valid[v];
            byte* code = codes + ((sb[p] + tapOffset) >> 2);
            float* f = field + tb[p];
            var a0 = Vector512.Load(f);
            var a1 = nb >= 2 ? Vector512.Load(f + 16) : default;
            var a2 = nb >= 3 ? Vector512.Load(f + 32) : default;
            var a3 = nb >= 4 ? Vector512.Load(f + 48) : default;
            Vector512<float> e0 = default, e1 = default, e2 = default, e3 = default;
            float* row = tt;
            int gi = 0;
            for (; gi + 2 <= groups; gi += 2, row += 2 * groupStride)
            {
                float* r0 = row + code[gi] * ct;
                float* r1 = row + groupStride + code[gi + 1] * ct;
                a0 += Vector512.Load(r0); e0 += Vector512.Load(r1);
                if (nb >= 2) { a1 += Vector512.Load(r0 + 16); e1 += Vector512.Load(r1 + 16); }
                if (nb >= 3) { a2 += Vector512.Load(r0 + 32); e2 += Vector512.Load(r1 + 32); }
                if (nb >= 4) { a3 += Vector512.Load(r0 + 48); e3 += Vector512.Load(r1 + 48); }
            }
            if (gi < groups)
            {
                float* r0 = row + code[gi] * ct;
                a0 += Vector512.Load(r0);
                if (nb >= 2) a1 += Vector512.Load(r0 + 16);
                if (nb >= 3) a2 += Vector512.Load(r0 + 32);
                if (nb >= 4) a3 += Vector512.Load(r0 + 48);
            }
            Vector512.Store(a0 + e0, f);
            if (nb >= 2) Vector512.Store(a1 + e1, f + 16);
            if (nb >= 3) Vector512.Store(a2 + e2, f + 32);
            if (nb >= 4) Vector512.Store(a3 + e3, f + 48);
        }
    }

    /// <summary>
    /// Reorders a layer's Philox words from canonical (channel-major, [C][H·W]) to channels-last
    /// ([H·W][Cp]) order, 16×16 blocks at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ChannelsLast(LayerLayout lay, uint* canonical, uint* channelsLast)
    {
        int hw = lay.H * lay.W, c = lay.C, cp = lay.Cp;
        if (hw == 1) { new ReadOnlySpan<uint>(canonical, c).CopyTo(new Span<uint>(channelsLast, c)); return; }
        int c16 = Avx512F.IsSupported ? c & ~15 : 0, p16 = Avx512F.IsSupported ? hw & ~15 : 0;
        for (int c0 = 0; c0 < c16; c0 += 16)
            for (int p0 = 0; p0 < p16; p0 += 16)
                Transpose16(canonical + c0 * hw + p0, hw, channelsLast + p0 * cp + c0, cp);
        for (int ch = 0; ch < c; ch++)
        {
            int pStart = ch < c16 ? p16 : 0;
            for (int p = pStart; p < hw; p++) channelsLast[p * cp + ch] = canonical[ch * hw + p];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Transpose16(uint* src, int srcStride, uint* dst, int dstStride)
    {
        // Stages 1–2: 4×4 transposes inside 128-bit lanes for each group of 4 rows; afterwards lane q of
        // g{G}k{K} holds column 4q+K of rows 4G..4G+3.
        Quad(src, srcStride, out var g0k0, out var g0k1, out var g0k2, out var g0k3);
        Quad(src + 4 * srcStride, srcStride, out var g1k0, out var g1k1, out var g1k2, out var g1k3);
        Quad(src + 8 * srcStride, srcStride, out var g2k0, out var g2k1, out var g2k2, out var g2k3);
        Quad(src + 12 * srcStride, srcStride, out var g3k0, out var g3k1, out var g3k2, out var g3k3);
        // Stages 3–4: output row 4q+k = lane q of g0k, g1k, g2k, g3k.
        Lanes(g0k0, g1k0, g2k0, g3k0, dst, dstStride);
        Lanes(g0k1, g1k1, g2k1, g3k1, dst + dstStride, dstStride);
        Lanes(g0k2, g1k2, g2k2, g3k2, dst + 2 * dstStride, dstStride);
        Lanes(g0k3, g1k3, g2k3, g3k3, dst + 3 * dstStride, dstStride);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Quad(uint* src, int stride, out Vector512<uint> k0, out Vector512<uint> k1, out Vector512<uint> k2, out Vector512<uint> k3)
    {
        var r0 = Vector512.Load(src);
        var r1 = Vector512.Load(src + stride);
        var r2 = Vector512.Load(src + 2 * stride);
        var r3 = Vector512.Load(src + 3 * stride);
        var t0 = Avx512F.UnpackLow(r0, r1); var t1 = Avx512F.UnpackHigh(r0, r1);
        var t2 = Avx512F.UnpackLow(r2, r3); var t3 = Avx512F.UnpackHigh(r2, r3);
        k0 = Avx512F.UnpackLow(t0.AsUInt64(), t2.AsUInt64()).AsUInt32();
        k1 = Avx512F.UnpackHigh(t0.AsUInt64(), t2.AsUInt64()).AsUInt32();
        k2 = Avx512F.UnpackLow(t1.AsUInt64(), t3.AsUInt64()).AsUInt32();
        k3 = Avx512F.UnpackHigh(t1.AsUInt64(), t3.AsUInt64()).AsUInt32();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Lanes(Vector512<uint> a0, Vector512<uint> a1, Vector512<uint> a2, Vector512<uint> a3, uint* dst, int stride)
    {
        var lo01 = Avx512F.Shuffle4x128(a0, a1, 0b01_00_01_00);
        var lo23 = Avx512F.Shuffle4x128(a2, a3, 0b01_00_01_00);
        var hi01 = Avx512F.Shuffle4x128(a0, a1, 0b11_10_11_10);
        var hi23 = Avx512F.Shuffle4x128(a2, a3, 0b11_10_11_10);
        Vector512.Store(Avx512F.Shuffle4x128(lo01, lo23, 0b10_00_10_00), dst);
        Vector512.Store(Avx512F.Shuffle4x128(lo01, lo23, 0b11_01_11_01), dst + 4 * stride);
        Vector512.Store(Avx512F.Shuffle4x128(hi01, hi23, 0b10_00_10_00), dst + 8 * stride);
        Vector512.Store(Avx512F.Shuffle4x128(hi01, hi23, 0b11_01_11_01), dst + 12 * stride);
    }

    /// <summary>
    /// The initial state of a layer: s = +1 where the word's top bit is 0 (uniform &lt; 1/2), −1 elsewhere, 0 in
    /// padding channels; <paramref name="words"/> channels-last like <see cref="Threshold"/>. Also writes codes.
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
    /// ([H·W][Cp], see <see cref="ChannelsLast"/>). When <paramref name="flips"/> is not null, the bit of
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
