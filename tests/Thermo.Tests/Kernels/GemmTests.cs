using CsCheck;
using Thermo.Kernels;
using Thermo.Tensors;

namespace Thermo.Tests.Kernels;

public class GemmTests
{
    public record Case(bool TransA, bool TransB, int M, int N, int K, int Pad, float Alpha, float Beta, int Seed);

    static readonly Gen<Case> SmallCases =
        from ta in Gen.Bool
        from tb in Gen.Bool
        from m in Gen.Int[1, 41]
        from n in Gen.Int[1, 75]
        from k in Gen.Int[0, 300]
        from pad in Gen.Int[0, 3]
        from alpha in Gen.OneOfConst(1f, -0.5f, 2f)
        from beta in Gen.OneOfConst(0f, 1f, 0.75f)
        from seed in Gen.Int
        select new Case(ta, tb, m, n, k, pad, alpha, beta, seed);

    /// <summary>Runs one case through Gemm.Sgemm (with <paramref name="set"/> forced) and the reference.</summary>
    static void Check(Case t, InstructionSet set)
    {
        int rowsA = t.TransA ? t.K : t.M, colsA = t.TransA ? t.M : t.K;
        int rowsB = t.TransB ? t.N : t.K, colsB = t.TransB ? t.K : t.N;
        int lda = colsA + t.Pad, ldb = colsB + 2 * t.Pad, ldc = t.N + t.Pad;
        var a = KernelAssert.Random(Math.Max(0, (rowsA - 1) * lda + colsA), t.Seed);
        var b = KernelAssert.Random(Math.Max(0, (rowsB - 1) * ldb + colsB), t.Seed + 1);
        var c = KernelAssert.Random((t.M - 1) * ldc + t.N, t.Seed + 2);
        if (t.Beta == 0) Array.Fill(c, float.NaN); // beta = 0 must overwrite, not propagate NaN
        var expected = (float[])c.Clone();
        var magnitude = ReferenceGemm.Sgemm(t.TransA, t.TransB, t.M, t.N, t.K, t.Alpha, a, lda, b, ldb, t.Beta, expected, ldc);

        Gemm.ForcedInstructionSet = set;
        try { Gemm.Sgemm(t.TransA, t.TransB, t.M, t.N, t.K, t.Alpha, a, lda, b, ldb, t.Beta, c, ldc); }
        finally { Gemm.ForcedInstructionSet = null; }

        var e = new float[t.M * t.N]; var g = new float[t.M * t.N];
        for (int i = 0; i < t.M; i++)
        for (int j = 0; j < t.N; j++) { e[i * t.N + j] = expected[i * ldc + j]; g[i * t.N + j] = c[i * ldc + j]; }
        KernelAssert.Close(e, g, magnitude, t.K, $"{set} {t}");
        // Padding between rows of C is untouched.
        for (int i = 0; i + 1 < t.M; i++)
        for (int j = t.N; j < ldc; j++) Assert.True(c[i * ldc + j].Equals(expected[i * ldc + j]), $"{set} {t}: padding of C changed");
    }

    public static TheoryData<InstructionSet> Supported()
    {
        var data = new TheoryData<InstructionSet>();
        foreach (var s in Enum.GetValues<InstructionSet>()) if (s <= Gemm.BestInstructionSet) data.Add(s);
        return data;
    }

    [Theory]
    [MemberData(nameof(Supported))]
    public void Matches_reference_on_random_shapes_transposes_strides_alpha_and_beta(InstructionSet set) =>
        SmallCases.Sample(t => Check(t, set), iter: 150, seed: "0N0XIzNsQ0O2");

    [Theory]
    [MemberData(nameof(Supported))]
    public void Matches_reference_on_shapes_large_enough_to_block_and_thread(InstructionSet set)
    {
        // Crosses KC/MC/NC block edges and the parallel threshold; odd sizes leave ragged edge tiles.
        Check(new Case(false, false, 131, 67, 401, 1, 1f, 0f, 1), set);
        Check(new Case(true, false, 67, 131, 390, 0, 1f, 1f, 2), set);
        Check(new Case(false, true, 29, 1100, 77, 2, -1f, 0.5f, 3), set);
        Check(new Case(true, true, 200, 45, 260, 3, 0.5f, 0f, 4), set);
        // Thin A·Bᵀ (the dot-product path on AVX-512): ragged 4×4 tiles, masked tails, summation blocks.
        Check(new Case(false, true, 130, 10, 3137, 1, 1f, 0f, 5), set);
        Check(new Case(false, true, 7, 300, 2100, 0, -2f, 0.75f, 6), set);
        Check(new Case(false, true, 3, 4000, 500, 2, 1f, 0f, 7), set);
    }

    [Fact]
    public void Result_does_not_depend_on_the_thread_count()
    {
        var a = KernelAssert.Random(150 * 420, 5); var b = KernelAssert.Random(420 * 170, 6);
        var c1 = new float[150 * 170]; var c2 = new float[150 * 170];
        int saved = ParallelRange.Threads;
        try
        {
            ParallelRange.Threads = 1;
            Gemm.Sgemm(false, false, 150, 170, 420, 1f, a, 420, b, 170, 0f, c1, 170);
            ParallelRange.Threads = 3;
            Gemm.Sgemm(false, false, 150, 170, 420, 1f, a, 420, b, 170, 0f, c2, 170);
        }
        finally { ParallelRange.Threads = saved; }
        Assert.Equal(c1, c2);
    }

    [Fact]
    public void Empty_inner_dimension_scales_C_by_beta()
    {
        float[] c = [1, 2, 3, 4];
        Gemm.Sgemm(false, false, 2, 2, 0, 1f, [], 1, [], 2, 0.5f, c, 2);
        Assert.Equal([0.5f, 1, 1.5f, 2], c);
        Gemm.Sgemm(false, false, 2, 2, 0, 1f, [], 1, [], 2, 0f, c, 2);
        Assert.Equal([0f, 0, 0, 0], c);
    }

    [Fact]
    public void Too_short_operands_are_rejected_with_the_operand_named()
    {
        var e = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 3, 3, 3, 1f, new float[8], 3, new float[9], 3, 0f, new float[9], 3));
        Assert.Contains("a has 8 elements", e.Message);
        e = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, true, 3, 3, 3, 1f, new float[9], 3, new float[9], 2, 0f, new float[9], 3));
        Assert.Contains("ldb", e.Message);
    }
}
