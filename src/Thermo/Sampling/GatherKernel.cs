using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Thermo.Sampling;

/// <summary>
/// field += op(spins) over every source spin of a <see cref="GatherOp"/>, on channels-last float buffers. Vectorised over
/// 16 channels; blocks of 4 positions × 64 channels keep 16 accumulators in registers so each weight load feeds 4
/// multiply-adds. The scalar reference is in the tests (ReferenceSpinKernels.Gather).
/// </summary>
internal static unsafe class GatherKernel
{
    /// <summary>field += op(spins) over every source spin.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(GatherOp op, float* src, float* field)
    {
        float* w = op.Weights.Pointer;
        fixed (int* tb = op.TargetBase, sb = op.SourceBase, taps = op.TapOffset)
        {
            int positions = op.TargetBase.Length, ct = op.TargetChannels;
            for (int o = 0; o < ct; o += 64)
            {
                int blocks = Math.Min(4, (ct - o) / 16);
                switch (blocks)
                {
                    case 4: ApplyBlocks<FourBlocks>(op, src, field, w + o, tb, sb, taps, positions, o); break;
                    case 3: ApplyBlocks<ThreeBlocks>(op, src, field, w + o, tb, sb, taps, positions, o); break;
                    case 2: ApplyBlocks<TwoBlocks>(op, src, field, w + o, tb, sb, taps, positions, o); break;
                    default: ApplyBlocks<OneBlock>(op, src, field, w + o, tb, sb, taps, positions, o); break;
                }
            }
        }
    }

    static void ApplyBlocks<TBlocks>(GatherOp op, float* src, float* field, float* w, int* tb, int* sb, int* taps, int positions, int o) where TBlocks : struct, IChannelBlocks
    {
        int p = 0;
        for (; p + 4 <= positions; p += 4)
            FourPositions<TBlocks>(w, op.TargetChannels, op.SourceChannels, taps, op.TapOffset.Length, src + sb[p], src + sb[p + 1], src + sb[p + 2], src + sb[p + 3],
                field + tb[p] + o, field + tb[p + 1] + o, field + tb[p + 2] + o, field + tb[p + 3] + o);
        for (; p < positions; p++)
            OnePosition<TBlocks>(w, op.TargetChannels, op.SourceChannels, taps, op.TapOffset.Length, src + sb[p], field + tb[p] + o);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void FourPositions<TBlocks>(float* w, int ct, int cs, int* taps, int ntaps, float* s0, float* s1, float* s2, float* s3,
        float* f0, float* f1, float* f2, float* f3) where TBlocks : struct, IChannelBlocks
    {
        int nb = TBlocks.Count;
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
        ChannelBlock.AddTo(f0, a00); ChannelBlock.AddTo(f1, a10); ChannelBlock.AddTo(f2, a20); ChannelBlock.AddTo(f3, a30);
        if (nb >= 2) { ChannelBlock.AddTo(f0 + 16, a01); ChannelBlock.AddTo(f1 + 16, a11); ChannelBlock.AddTo(f2 + 16, a21); ChannelBlock.AddTo(f3 + 16, a31); }
        if (nb >= 3) { ChannelBlock.AddTo(f0 + 32, a02); ChannelBlock.AddTo(f1 + 32, a12); ChannelBlock.AddTo(f2 + 32, a22); ChannelBlock.AddTo(f3 + 32, a32); }
        if (nb >= 4) { ChannelBlock.AddTo(f0 + 48, a03); ChannelBlock.AddTo(f1 + 48, a13); ChannelBlock.AddTo(f2 + 48, a23); ChannelBlock.AddTo(f3 + 48, a33); }
    }

    /// <summary>One position; the reduction is split over 4 (one block) or 2 (two blocks) accumulators to hide FMA latency.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void OnePosition<TBlocks>(float* w, int ct, int cs, int* taps, int ntaps, float* s0, float* f0) where TBlocks : struct, IChannelBlocks
    {
        int nb = TBlocks.Count;
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
        ChannelBlock.AddTo(f0, a0 + e0);
        if (nb >= 2) ChannelBlock.AddTo(f0 + 16, a1 + e1);
        if (nb >= 3) ChannelBlock.AddTo(f0 + 32, a2 + e2);
        if (nb >= 4) ChannelBlock.AddTo(f0 + 48, a3 + e3);
    }
}
