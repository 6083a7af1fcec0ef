using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Thermo.Sampling;

/// <summary>
/// Gather through sign-pattern tables (<see cref="TableOp"/>): with ±1 sources, four channels take one of 16 patterns, so
/// one table row replaces four multiply-adds. The scalar reference is in the tests (ReferenceSpinKernels.TableGather).
/// </summary>
internal static unsafe class TableGatherKernel
{
    /// <summary>
    /// field += op(spins) through the sign-pattern tables of <paramref name="op"/>: for each tap, each valid
    /// target adds one table row per group of four source channels, selected by the group's 4-bit code.
    /// <paramref name="codes"/> holds one byte per group of 4 spins of the source buffer (see <see cref="ThresholdKernel.Threshold"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(TableOp op, byte* codes, float* field)
    {
        var g = op.Op;
        int ct = g.TargetChannels, groups = op.Groups, taps = g.TapOffset.Length;
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
                            case 4: TableTap<FourBlocks>(tt + o, ct, groups, codes, tapOffset, sb, tb, valid, nv, field + o); break;
                            case 3: TableTap<ThreeBlocks>(tt + o, ct, groups, codes, tapOffset, sb, tb, valid, nv, field + o); break;
                            case 2: TableTap<TwoBlocks>(tt + o, ct, groups, codes, tapOffset, sb, tb, valid, nv, field + o); break;
                            default: TableTap<OneBlock>(tt + o, ct, groups, codes, tapOffset, sb, tb, valid, nv, field + o); break;
                        }
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void TableTap<TBlocks>(float* tt, int ct, int groups, byte* codes, int tapOffset, int* sb, int* tb, int* valid, int nv, float* field) where TBlocks : struct, IChannelBlocks
    {
        int nb = TBlocks.Count;
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
}
