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
    public static void Apply(GatherOp op, float* src, float* field)
    {
        fixed (float* w = op.Weights)
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

    /// <summary>field += op(Δspins) over the source spins whose bit is set in <paramref name="flips"/>; Δs = 2·s.</summary>
    public static void ApplyFlips(GatherOp op, float* src, ulong* flips, float* field)
    {
        fixed (float* w = op.Weights)
        fixed (int* tb = op.TargetBase, sb = op.SourceBase, taps = op.TapOffset)
        {
            int positions = op.TargetBase.Length, ct = op.CT;
            for (int o = 0; o < ct; o += 64)
            {
                int blocks = Math.Min(4, (ct - o) / 16);
                switch (blocks)
                {
                    case 4: FlipBlocks<B4>(op, src, flips, field, w + o, tb, sb, taps, positions, o); break;
                    case 3: FlipBlocks<B3>(op, src, flips, field, w + o, tb, sb, taps, positions, o); break;
                    case 2: FlipBlocks<B2>(op, src, flips, field, w + o, tb, sb, taps, positions, o); break;
                    default: FlipBlocks<B1>(op, src, flips, field, w + o, tb, sb, taps, positions, o); break;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void FlipBlocks<TB>(GatherOp op, float* src, ulong* flips, float* field, float* w, int* tb, int* sb, int* taps, int positions, int o) where TB : struct, IBlocks
    {
        int nb = TB.Count, ct = op.CT, cs = op.CS, ntaps = op.TapOffset.Length;
        for (int p = 0; p < positions; p++)
        {
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            Vector512<float> e0 = default, e1 = default, e2 = default, e3 = default;
            int parity = 0;
            for (int t = 0; t < ntaps; t++)
            {
                int off = sb[p] + taps[t];
                float* wt = w + (long)t * cs * ct;
                for (int chunk = 0; chunk < cs; chunk += 64)
                {
                    ulong bits = Bits(flips, off + chunk, Math.Min(64, cs - chunk));
                    while (bits != 0)
                    {
                        int c = chunk + BitOperations.TrailingZeroCount(bits);
                        bits &= bits - 1;
                        var d = Vector512.Create(2f * src[off + c]);
                        float* wc = wt + (long)c * ct;
                        // Alternate two accumulator sets so consecutive flips do not wait on each other.
                        if ((parity ^= 1) != 0)
                        {
                            a0 = Vector512.FusedMultiplyAdd(Vector512.Load(wc), d, a0);
                            if (nb >= 2) a1 = Vector512.FusedMultiplyAdd(Vector512.Load(wc + 16), d, a1);
                            if (nb >= 3) a2 = Vector512.FusedMultiplyAdd(Vector512.Load(wc + 32), d, a2);
                            if (nb >= 4) a3 = Vector512.FusedMultiplyAdd(Vector512.Load(wc + 48), d, a3);
                        }
                        else
                        {
                            e0 = Vector512.FusedMultiplyAdd(Vector512.Load(wc), d, e0);
                            if (nb >= 2) e1 = Vector512.FusedMultiplyAdd(Vector512.Load(wc + 16), d, e1);
                            if (nb >= 3) e2 = Vector512.FusedMultiplyAdd(Vector512.Load(wc + 32), d, e2);
                            if (nb >= 4) e3 = Vector512.FusedMultiplyAdd(Vector512.Load(wc + 48), d, e3);
                        }
                    }
                }
            }
            float* f = field + tb[p] + o;
            Add(f, a0 + e0);
            if (nb >= 2) Add(f + 16, a1 + e1);
            if (nb >= 3) Add(f + 32, a2 + e2);
            if (nb >= 4) Add(f + 48, a3 + e3);
        }
    }

    /// <summary>Bits [start, start + length) of a bitmap (start a multiple of 16, length ≤ 64).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong Bits(ulong* map, int start, int length)
    {
        int word = start >> 6, shift = start & 63;
        ulong v = map[word] >> shift;
        if (shift != 0 && length > 64 - shift) v |= map[word + 1] << (64 - shift);
        return length >= 64 ? v : v & ((1UL << length) - 1);
    }

    /// <summary>
    /// Reorders a layer's Philox words from canonical (channel-major, [C][H·W]) to channels-last
    /// ([H·W][Cp]) order, 16×16 blocks at a time.
    /// </summary>
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Transpose16(uint* src, int srcStride, uint* dst, int dstStride)
    {
        // Stage 1–2: 4×4 transposes inside 128-bit lanes for each group of 4 rows.
        var v = stackalloc Vector512<uint>[16];
        for (int g = 0; g < 4; g++)
        {
            var r0 = Vector512.Load(src + (4 * g) * srcStride);
            var r1 = Vector512.Load(src + (4 * g + 1) * srcStride);
            var r2 = Vector512.Load(src + (4 * g + 2) * srcStride);
            var r3 = Vector512.Load(src + (4 * g + 3) * srcStride);
            var t0 = Avx512F.UnpackLow(r0, r1); var t1 = Avx512F.UnpackHigh(r0, r1);
            var t2 = Avx512F.UnpackLow(r2, r3); var t3 = Avx512F.UnpackHigh(r2, r3);
            v[g * 4 + 0] = Avx512F.UnpackLow(t0.AsUInt64(), t2.AsUInt64()).AsUInt32();
            v[g * 4 + 1] = Avx512F.UnpackHigh(t0.AsUInt64(), t2.AsUInt64()).AsUInt32();
            v[g * 4 + 2] = Avx512F.UnpackLow(t1.AsUInt64(), t3.AsUInt64()).AsUInt32();
            v[g * 4 + 3] = Avx512F.UnpackHigh(t1.AsUInt64(), t3.AsUInt64()).AsUInt32();
        }
        // Stage 3–4: v[g*4+k] lane q holds column 4q+k of rows 4g..4g+3; gather the 128-bit lanes.
        for (int k = 0; k < 4; k++)
        {
            Vector512<uint> a0 = v[k], a1 = v[4 + k], a2 = v[8 + k], a3 = v[12 + k];
            var lo01 = Avx512F.Shuffle4x128(a0, a1, 0b01_00_01_00);
            var lo23 = Avx512F.Shuffle4x128(a2, a3, 0b01_00_01_00);
            var hi01 = Avx512F.Shuffle4x128(a0, a1, 0b11_10_11_10);
            var hi23 = Avx512F.Shuffle4x128(a2, a3, 0b11_10_11_10);
            Vector512.Store(Avx512F.Shuffle4x128(lo01, lo23, 0b10_00_10_00), dst + (0 + k) * dstStride);
            Vector512.Store(Avx512F.Shuffle4x128(lo01, lo23, 0b11_01_11_01), dst + (4 + k) * dstStride);
            Vector512.Store(Avx512F.Shuffle4x128(hi01, hi23, 0b10_00_10_00), dst + (8 + k) * dstStride);
            Vector512.Store(Avx512F.Shuffle4x128(hi01, hi23, 0b11_01_11_01), dst + (12 + k) * dstStride);
        }
    }

    /// <summary>
    /// New spins of a whole layer from its fields: s = +1 where <see cref="GibbsRule.UpdateMask"/> says so, −1
    /// elsewhere, 0 in padding channels. <paramref name="words"/> holds the layer's Philox words channels-last
    /// ([H·W][Cp], see <see cref="ChannelsLast"/>). When <paramref name="flips"/> is not null, the bit of
    /// every spin that changed is written there. Returns the number of changed spins (0 without tracking).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Threshold(LayerLayout lay, float* field, float* spins, uint* words, float beta, ulong* flips)
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
                }
            }
        return changed;
    }
}
