using System.Runtime.CompilerServices;

namespace Thermo.Kernels;

/// <summary>
/// A register-blocked GEMM micro-kernel: C[MR×NR] = alpha · Ã·B̃ + beta · C, where Ã is a packed MR-row panel
/// (kc columns of MR values) and B̃ a packed NR-column panel (kc rows of NR values), both zero-padded.
/// Implementations are structs so the generic drivers are specialised (MR, NR become constants).
/// </summary>
internal unsafe interface IMicroKernel
{
    static abstract int MR { get; }
    static abstract int NR { get; }
    static abstract InstructionSet Set { get; }
    /// <summary>With beta = 0, C is overwritten (C may hold NaNs).</summary>
    static abstract void Run(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta);
}

/// <summary>Scalar 4×4 reference-speed kernel for processors without hardware vectors.</summary>
internal readonly unsafe struct ScalarKernel : IMicroKernel
{
    public static int MR => 4;
    public static int NR => 4;
    public static InstructionSet Set => InstructionSet.Scalar;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        float* acc = stackalloc float[16];
        for (int i = 0; i < 16; i++) acc[i] = 0;
        for (int p = 0; p < kc; p++, a += 4, b += 4)
            for (int r = 0; r < 4; r++)
            {
                float ar = a[r];
                for (int j = 0; j < 4; j++) acc[r * 4 + j] += ar * b[j];
            }
        for (int r = 0; r < 4; r++)
            for (int j = 0; j < 4; j++)
                c[r * ldc + j] = beta == 0 ? alpha * acc[r * 4 + j] : alpha * acc[r * 4 + j] + beta * c[r * ldc + j];
    }
}
